"""Instances API: CRUD scoped to the organization; credentials never come back."""

import base64
import io

import pytest
import segno
from PIL import Image

from providers.models import Instance
from tests.support.http_server import FakeHTTPServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]

SECRET_VALUES = ("evo-secret-key", "meta-app-secret", "verify-me", "EAAG-token")


def create(api_client, **fields):
    body = {
        "name": "Loja Centro",
        "provider": "evolution",
        "baseUrl": "https://evo.example.com",
        "externalId": "loja-centro",
        "credentials": {"apiKey": "evo-secret-key"},
        **fields,
    }
    return api_client.post("/api/v1/instances", body, format="json")


def test_it_creates_an_instance_with_its_webhook_url(api_client, settings):
    settings.PUBLIC_BASE_URL = "https://atende.example.com"
    response = create(api_client, concatTimeout=12, ignoreGroups=False)

    assert response.status_code == 201
    data = response.json()
    instance = Instance.objects.get(pk=data["id"])
    assert data["webhookUrl"] == (
        f"https://atende.example.com/api/v1/webhooks/evolution/{instance.webhook_secret}"
    )
    assert (data["provider"], data["externalId"], data["concatTimeout"], data["ignoreGroups"]) == (
        "evolution",
        "loja-centro",
        12,
        False,
    )
    assert (data["hasCredentials"], data["connectionStatus"]) == (True, "UNKNOWN")
    assert "credentials" not in data
    assert instance.credentials == {"apiKey": "evo-secret-key"}
    assert instance.organization_id == api_client.organization.id


def test_the_webhook_url_falls_back_to_the_request_host(api_client, settings):
    settings.PUBLIC_BASE_URL = ""
    data = create(api_client).json()
    assert data["webhookUrl"].startswith("http://testserver/api/v1/webhooks/evolution/")


def test_secrets_never_come_back(api_client):
    created = create(
        api_client,
        provider="cloudapi",
        baseUrl="",
        externalId="106540352242922",
        credentials={"accessToken": "EAAG-token"},
        appSecret="meta-app-secret",
        verifyToken="verify-me",
    )
    assert created.status_code == 201
    instance_id = created.json()["id"]
    answers = [
        created,
        api_client.get("/api/v1/instances"),
        api_client.get(f"/api/v1/instances/{instance_id}"),
        api_client.patch(f"/api/v1/instances/{instance_id}", {"name": "Renamed"}, format="json"),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201)
        body = answer.content.decode()
        assert not any(secret in body for secret in SECRET_VALUES)
    data = answers[2].json()
    assert (data["hasAppSecret"], data["hasVerifyToken"]) == (True, True)


def test_it_validates_fields_in_the_error_shape(api_client):
    response = create(api_client, concatTimeout=61, provider="telegram")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["details"]) == {"concatTimeout", "provider"}


def test_a_cloud_instance_needs_its_app_secret(api_client):
    response = create(api_client, provider="cloudapi", externalId="1065", appSecret="")
    assert response.status_code == 422
    assert set(response.json()["error"]["details"]) == {"appSecret"}


def test_a_duplicate_name_is_a_conflict(api_client):
    create(api_client)
    response = create(api_client)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "instance_name_taken"


def test_list_is_paginated_and_scoped(api_client, other_api_client):
    create(api_client)
    create(api_client, name="Second")
    create(other_api_client, name="Theirs")
    response = api_client.get("/api/v1/instances?limit=1")
    assert response.status_code == 200
    assert [i["name"] for i in response.json()["data"]] == ["Loja Centro"]
    assert response.json()["pagination"]["total_data"] == 2


def test_another_organizations_instance_is_404(api_client, other_api_client):
    instance_id = create(other_api_client).json()["id"]
    for method, path in [
        ("get", f"/api/v1/instances/{instance_id}"),
        ("patch", f"/api/v1/instances/{instance_id}"),
        ("delete", f"/api/v1/instances/{instance_id}"),
        ("post", f"/api/v1/instances/{instance_id}/health-check"),
        ("get", f"/api/v1/instances/{instance_id}/qr"),
    ]:
        response = getattr(api_client, method)(path, {}, format="json")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert Instance.objects.filter(pk=instance_id).exists()


def test_patch_updates_settings_and_rejects_a_provider_change(api_client):
    instance_id = create(api_client).json()["id"]
    response = api_client.patch(
        f"/api/v1/instances/{instance_id}",
        {"humanTakeoverMinutes": 30, "transcribeVideo": False, "credentials": {"apiKey": "new"}},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["humanTakeoverMinutes"], response.json()["transcribeVideo"]) == (
        30,
        False,
    )
    assert Instance.objects.get(pk=instance_id).credentials == {"apiKey": "new"}
    refused = api_client.patch(
        f"/api/v1/instances/{instance_id}", {"provider": "uazapi"}, format="json"
    )
    assert refused.status_code == 409


def test_delete_removes_the_instance(api_client):
    instance_id = create(api_client).json()["id"]
    assert api_client.delete(f"/api/v1/instances/{instance_id}").status_code == 204
    assert not Instance.objects.filter(pk=instance_id).exists()


def test_health_check_asks_the_gateway(api_client):
    with FakeHTTPServer() as server:
        server.route(
            "GET",
            "/instance/connectionState/loja-centro",
            lambda r: (200, {"instance": {"instanceName": "loja-centro", "state": "open"}}),
        )
        instance_id = create(api_client, baseUrl=server.url).json()["id"]
        response = api_client.post(f"/api/v1/instances/{instance_id}/health-check")
    assert response.status_code == 200
    assert response.json()["connectionStatus"] == "CONNECTED"
    assert response.json()["lastHealthCheckAt"] is not None
    assert server.requests[0].headers["apikey"] == "evo-secret-key"


def test_health_check_reports_a_gateway_error_as_502(api_client):
    with FakeHTTPServer() as server:
        server.route(
            "GET",
            "/instance/connectionState/loja-centro",
            lambda r: (401, {"status": 401, "error": "Unauthorized"}),
        )
        instance_id = create(api_client, baseUrl=server.url).json()["id"]
        response = api_client.post(f"/api/v1/instances/{instance_id}/health-check")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "gateway_error"
    instance = Instance.objects.get(pk=instance_id)
    assert instance.connection_status == "ERROR"
    assert "HTTP 401" in instance.last_health_error


@pytest.mark.parametrize("reply", [None, [], "open", {"instance": "open"}])
def test_an_odd_gateway_reply_reads_as_unknown_not_a_crash(api_client, reply):
    with FakeHTTPServer() as server:
        server.route("GET", "/instance/connectionState/loja-centro", lambda r: (200, reply))
        instance_id = create(api_client, baseUrl=server.url).json()["id"]
        response = api_client.post(f"/api/v1/instances/{instance_id}/health-check")
    assert response.status_code == 200
    assert response.json()["connectionStatus"] == "UNKNOWN"


def test_qr_returns_the_code_to_scan(api_client):
    with FakeHTTPServer() as server:
        server.route(
            "GET",
            "/instance/connect/loja-centro",
            lambda r: (
                200,
                {"pairingCode": "WZYEH1YY", "code": "2@x", "base64": "data:image/png;base64,QR"},
            ),
        )
        instance_id = create(api_client, baseUrl=server.url).json()["id"]
        response = api_client.get(f"/api/v1/instances/{instance_id}/qr")
    assert response.status_code == 200
    assert response.json() == {
        "connectionStatus": "CONNECTING",
        "phoneNumber": "",
        "qrCode": "data:image/png;base64,QR",
        "qrText": "",
        "pairingCode": "WZYEH1YY",
    }
    assert Instance.objects.get(pk=instance_id).qr_code == "data:image/png;base64,QR"


def test_a_raw_pairing_string_comes_back_as_a_png_too(api_client):
    raw = "2@y8k3JZsHq1XcR0p9,Kq0f1Lx9Rj2vH8ZQ,Tm5bW3nYc7=="
    with FakeHTTPServer() as server:
        server.route("POST", "/sessions/loja/connect", lambda r: (200, {"qr": raw}))
        instance_id = create(
            api_client, provider="baileys", baseUrl=server.url, externalId="loja", credentials={}
        ).json()["id"]
        response = api_client.get(f"/api/v1/instances/{instance_id}/qr")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["qrText"] == raw
    prefix = "data:image/png;base64,"
    assert body["qrCode"].startswith(prefix)
    png = Image.open(io.BytesIO(base64.b64decode(body["qrCode"][len(prefix) :])))
    modules = segno.make(raw, error="l").symbol_size(scale=1, border=0)[0]
    assert png.size == ((modules + 4) * 5, (modules + 4) * 5)  # scale 5, border 2


def test_qr_is_refused_for_a_gateway_without_pairing(api_client):
    instance_id = create(
        api_client, provider="cloudapi", externalId="1065", appSecret="s", baseUrl=""
    ).json()["id"]
    response = api_client.get(f"/api/v1/instances/{instance_id}/qr")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "qr_not_supported"
