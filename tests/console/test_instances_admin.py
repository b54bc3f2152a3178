"""Instances: connection state, health check now, QR code, webhook URL and secret."""

from datetime import timedelta

import pytest
import segno
from django.urls import reverse
from django.utils import timezone

from providers.models import ConnectionStatus
from tests.support.admin_forms import form_errors, submit
from tests.support.console import login

pytestmark = pytest.mark.django_db


def test_the_list_shows_connection_status_with_time_since_and_last_check(agent_client, instance):
    instance.connection_status = ConnectionStatus.DISCONNECTED
    instance.connection_status_since = timezone.now() - timedelta(hours=2)
    instance.last_health_check_at = timezone.now() - timedelta(minutes=5)
    instance.save()
    body = agent_client.get(reverse("admin:providers_instance_changelist")).content.decode()
    assert ">Disconnected</span>" in body
    assert "for 2\xa0hours" in body
    assert "5\xa0minutes ago" in body
    down = agent_client.get(reverse("admin:providers_instance_changelist") + "?connection=down")
    assert [i.pk for i in down.context["cl"].result_list] == [instance.pk]


def test_check_now_asks_the_gateway_and_records_the_answer(agent_client, instance):
    url = reverse("admin:providers_instance_check_now", args=[instance.pk])
    assert agent_client.get(url).status_code == 405
    response = agent_client.post(url, follow=True)
    messages = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert messages == [("success", f"{instance.name}: Connected")]
    instance.refresh_from_db()
    assert instance.connection_status == ConnectionStatus.CONNECTED
    assert instance.last_health_check_at is not None
    assert instance.connection_status_since is not None


def test_check_now_is_also_a_list_action(agent_client, instance):
    response = agent_client.post(
        reverse("admin:providers_instance_changelist"),
        {"action": "check_now_action", "_selected_action": [str(instance.pk)]},
        follow=True,
    )
    assert f"{instance.name}: Connected" in response.content.decode()


def test_the_change_page_shows_the_webhook_url_and_secret_to_copy(agent_client, instance):
    body = agent_client.get(
        reverse("admin:providers_instance_change", args=[instance.pk])
    ).content.decode()
    assert 'id="atd-webhook-url"' in body
    assert instance.webhook_secret in body
    assert 'data-copy="atd-webhook-secret"' in body
    assert 'id="atd-check-now"' in body


def test_a_data_uri_qr_code_is_rendered_as_an_image(agent_client, instance):
    instance.qr_code = "data:image/png;base64,iVBORw0KGgo="
    instance.qr_code_updated_at = timezone.now()
    instance.save()
    body = agent_client.get(
        reverse("admin:providers_instance_change", args=[instance.pk])
    ).content.decode()
    assert '<img src="data:image/png;base64,iVBORw0KGgo=" alt="QR code">' in body


def test_a_raw_qr_string_is_drawn_as_a_qr_code(agent_client, instance):
    code = "2@abcDEF,xyz==,Kq0f1Lx9,Rj2vH8ZQ"
    instance.qr_code = code
    instance.save()
    body = agent_client.get(
        reverse("admin:providers_instance_change", args=[instance.pk])
    ).content.decode()
    qr = segno.make(code, error="l")
    side = (qr.symbol_size(scale=4, border=2))[0]
    block = body[body.index('<div class="atd-qr">') :]
    svg = block[block.index("<svg") : block.index("</svg>")]
    assert f'width="{side}"' in svg and f'height="{side}"' in svg
    assert code not in svg  # in the modules, not as text
    assert f'<pre id="atd-qr-raw">{code}</pre>' in body  # to copy, under "Raw QR text"


def test_a_hostile_qr_string_is_only_ever_text(agent_client, instance):
    instance.qr_code = '<script>alert("x")</script>'
    instance.save()
    body = agent_client.get(
        reverse("admin:providers_instance_change", args=[instance.pk])
    ).content.decode()
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_connect_shows_the_gateways_answer(agent_client, instance):
    url = reverse("admin:providers_instance_connect", args=[instance.pk])
    response = agent_client.post(url, follow=True)
    messages = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert messages == [("error", f"{instance.name}: sandbox has no QR code pairing")]


def test_the_connect_button_is_offered_only_for_gateways_that_pair(agent_client, organization):
    from tests.support import factories

    evolution = factories.make_instance(organization, provider="evolution", name="Evo")
    sandbox = factories.make_instance(organization, name="Sand")
    for instance, offered in [(evolution, True), (sandbox, False)]:
        body = agent_client.get(
            reverse("admin:providers_instance_change", args=[instance.pk])
        ).content.decode()
        assert ('id="atd-connect"' in body) is offered


def test_what_the_gateway_reports_is_read_only_on_the_change_form(agent_client, instance):
    instance.connection_status = ConnectionStatus.CONNECTED
    instance.phone_number = "5511999990000"
    instance.save()
    url = reverse("admin:providers_instance_change", args=[instance.pk])
    form = agent_client.get(url).context["adminform"].form
    reported = {"connection_status", "connection_status_since", "last_health_check_at"}
    assert not reported & set(form.fields)
    assert not {"qr_code_updated_at", "phone_number"} & set(form.fields)

    answer = submit(
        agent_client,
        url,
        connection_status=ConnectionStatus.ERROR,
        last_health_check_at="2020-01-01 00:00:00",
        phone_number="5511000000000",
        name="Renamed",
    )
    assert answer.status_code == 302, form_errors(answer)
    instance.refresh_from_db()
    assert instance.name == "Renamed"
    assert instance.connection_status == ConnectionStatus.CONNECTED
    assert instance.phone_number == "5511999990000"
    assert instance.last_health_check_at is None


def test_a_check_under_a_minute_ago_reads_well_in_portuguese(agent, instance):
    instance.last_health_check_at = timezone.now()
    instance.qr_code_updated_at = timezone.now()
    instance.save()
    client = login(agent, language=None)
    body = client.get(reverse("admin:providers_instance_changelist")).content.decode()
    assert "há menos de um minuto" in body
    assert "0 minuto" not in body
