"""The instance page's poll: the newest QR and the connection status, scoped."""

from django.test import Client
from django.urls import reverse

from providers.models import ConnectionStatus, Provider
from providers.services import instance_connection_update, instance_qr_code_update
from tests.support import factories
from tests.support.console import login
from tests.support.http_server import FakeHTTPServer

QR_1 = "2@first-pairing-string,AAA,BBB"
QR_2 = "2@second-pairing-string,CCC,DDD"


def connection_url(instance) -> str:
    return reverse("admin:providers_instance_connection", args=[instance.pk])


def evolution(organization, name="Evolution"):
    return factories.make_instance(organization, provider=Provider.EVOLUTION, name=name)


def test_it_reports_the_newest_qr_and_the_status(agent, organization):
    instance = evolution(organization)
    instance_connection_update(instance=instance, status=ConnectionStatus.CONNECTING)
    instance_qr_code_update(instance=instance, qr_code=QR_1)
    client = login(agent)
    first = client.get(connection_url(instance)).json()
    assert first["status"] == "CONNECTING" and first["connected"] is False
    assert QR_1 in first["qrHtml"] and "<svg" in first["qrHtml"]
    assert "Connecting" in first["connectionHtml"]

    instance_qr_code_update(instance=instance, qr_code=QR_2)
    second = client.get(connection_url(instance)).json()
    assert second["version"] != first["version"]
    assert QR_2 in second["qrHtml"] and QR_1 not in second["qrHtml"]


def test_it_says_connected_once_paired(agent, organization):
    instance = evolution(organization)
    instance_qr_code_update(instance=instance, qr_code=QR_1)
    instance_connection_update(instance=instance, status=ConnectionStatus.CONNECTED)
    data = login(agent, language=None).get(connection_url(instance)).json()
    assert data["connected"] is True and data["status"] == "CONNECTED"
    assert "Conectado: este número está pareado" in data["qrHtml"]
    assert QR_1 not in data["qrHtml"]


def test_it_reports_the_pairing_code_sent_with_the_qr(agent, organization):
    instance = evolution(organization)
    instance_connection_update(instance=instance, status=ConnectionStatus.CONNECTING)
    instance_qr_code_update(instance=instance, qr_code=QR_1, pairing_code="WZYEH1YY")
    client = login(agent, language=None)
    first = client.get(connection_url(instance)).json()
    assert first["pairingCode"] == "WZYEH1YY"
    assert QR_1 in first["qrHtml"] and "<svg" in first["qrHtml"]
    assert 'class="atd-pairing-code" id="atd-pairing-code">WZYEH1YY</strong>' in first["qrHtml"]
    assert "Ou digite este código de pareamento no celular:" in first["qrHtml"]

    instance_qr_code_update(instance=instance, qr_code=QR_2, pairing_code="K7PQ2MXD")
    second = client.get(connection_url(instance)).json()
    assert second["version"] != first["version"]
    assert second["pairingCode"] == "K7PQ2MXD"
    assert "K7PQ2MXD" in second["qrHtml"] and "WZYEH1YY" not in second["qrHtml"]


def test_a_pairing_code_without_a_qr_is_shown_alone(agent, organization):
    instance = evolution(organization)
    instance_connection_update(instance=instance, status=ConnectionStatus.CONNECTING)
    instance_qr_code_update(instance=instance, qr_code="", pairing_code="QNRM-ZQMB")
    data = login(agent, language=None).get(connection_url(instance)).json()
    assert 'id="atd-pairing-code">QNRM-ZQMB</strong>' in data["qrHtml"]
    assert "Digite este código de pareamento no celular:" in data["qrHtml"]
    assert "Nenhum QR code" not in data["qrHtml"] and "<svg" not in data["qrHtml"]


def test_the_pairing_code_goes_once_paired(agent, organization):
    instance = evolution(organization)
    instance_qr_code_update(instance=instance, qr_code=QR_1, pairing_code="WZYEH1YY")
    instance_connection_update(instance=instance, status=ConnectionStatus.CONNECTED)
    data = login(agent).get(connection_url(instance)).json()
    assert data["connected"] is True and data["pairingCode"] == ""
    assert "WZYEH1YY" not in data["qrHtml"]


def test_the_instance_page_shows_the_pairing_code_in_the_live_box(agent, organization):
    instance = evolution(organization)
    instance_connection_update(instance=instance, status=ConnectionStatus.CONNECTING)
    instance_qr_code_update(instance=instance, qr_code=QR_1, pairing_code="WZYEH1YY")
    body = (
        login(agent)
        .get(reverse("admin:providers_instance_change", args=[instance.pk]))
        .content.decode()
    )
    box = body[body.index('id="atd-qr-live"') :]
    assert 'id="atd-pairing-code">WZYEH1YY</strong>' in box
    assert 'name="pairing_code"' not in body  # shown, never an editable field


def test_another_organizations_instance_is_not_found(agent, other_organization):
    foreign = evolution(other_organization, name="Theirs")
    instance_qr_code_update(instance=foreign, qr_code=QR_1)
    response = login(agent).get(connection_url(foreign))
    assert response.status_code == 404
    assert QR_1 not in response.content.decode()


def test_it_needs_a_logged_in_console_user(organization):
    instance = evolution(organization)
    response = Client().get(connection_url(instance))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_it_only_answers_get(agent, organization):
    instance = evolution(organization)
    assert login(agent).post(connection_url(instance)).status_code == 405


def test_the_instance_page_polls_the_connection_view(agent, organization):
    instance = evolution(organization)
    body = (
        login(agent)
        .get(reverse("admin:providers_instance_change", args=[instance.pk]))
        .content.decode()
    )
    assert f'data-poll-url="{connection_url(instance)}"' in body
    assert 'id="atd-qr-live"' in body
    assert "atende/console.js" in body


def test_a_pairing_code_from_connect_is_shown_large(agent, organization):
    with FakeHTTPServer() as gateway:
        gateway.route(
            "GET",
            "/instance/connect/atende-main",
            lambda request: (200, {"code": QR_1, "pairingCode": "WZYEH1YY"}),
        )
        instance = factories.make_instance(
            organization,
            provider=Provider.EVOLUTION,
            name="Evolution",
            base_url=gateway.url,
            external_id="atende-main",
            credentials={"apiKey": "evo-key"},
        )
        url = reverse("admin:providers_instance_connect", args=[instance.pk])
        response = login(agent, language=None).post(url, follow=True)
    body = response.content.decode()
    instance.refresh_from_db()
    assert (instance.qr_code, instance.pairing_code) == (QR_1, "WZYEH1YY")
    assert "Leia o QR code abaixo com o WhatsApp do celular." in body
    # Once, in the box the page keeps fresh, beside the QR the gateway answered.
    assert body.count('id="atd-pairing-code"') == 1
    box = body[body.index('id="atd-qr-live"') :]
    assert 'class="atd-pairing-code" id="atd-pairing-code">WZYEH1YY</strong>' in box
    assert "Ou digite este código de pareamento no celular:" in box
    assert QR_1 in box


def test_a_pairing_code_alone_from_connect_says_to_type_it(agent, organization):
    with FakeHTTPServer() as gateway:
        gateway.route(
            "POST",
            "/instance/connect",
            lambda request: (
                200,
                {"instance": {"status": "connecting", "qrcode": "", "paircode": "QNRM-ZQMB"}},
            ),
        )
        instance = factories.make_instance(
            organization,
            provider=Provider.UAZAPI,
            name="UAZapi",
            base_url=gateway.url,
            credentials={"token": "uaz-token"},
        )
        url = reverse("admin:providers_instance_connect", args=[instance.pk])
        body = login(agent, language=None).post(url, follow=True).content.decode()
    assert "Digite o código de pareamento abaixo no WhatsApp do celular." in body
    box = body[body.index('id="atd-qr-live"') :]
    assert 'id="atd-pairing-code">QNRM-ZQMB</strong>' in box
