from integrations.models import Delivery, DeliveryAttempt, DeliveryStatus, Integration
from tests.support.api import assert_error

URL = "/api/v1/integrations"


def make_integration(organization, **fields):
    fields.setdefault("name", "AI agent")
    fields.setdefault("url", "http://127.0.0.1:9/hook")
    fields.setdefault("events", ["turn.ready"])
    return Integration.objects.create(organization=organization, **fields)


def test_integration_crud_never_returns_the_secret(api_client):
    response = api_client.post(
        URL,
        {
            "name": "AI agent",
            "url": "https://agent.example.com/hook",
            "events": ["turn.ready", "session.status_changed"],
            "secret": "s3cret-value",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    integration = Integration.objects.get()
    assert integration.secret == "s3cret-value"
    expected = {
        "id": str(integration.id),
        "name": "AI agent",
        "url": "https://agent.example.com/hook",
        "events": ["session.status_changed", "turn.ready"],
        "active": True,
        "timeoutSeconds": 10,
        "hasSecret": True,
        "createdAt": integration.created_at.isoformat().replace("+00:00", "Z"),
        "updatedAt": integration.updated_at.isoformat().replace("+00:00", "Z"),
    }
    assert response.json() == expected
    assert "s3cret-value" not in response.content.decode()
    assert api_client.get(f"{URL}/{integration.id}").json() == expected
    assert api_client.get(URL).json()["data"][0]["id"] == str(integration.id)

    response = api_client.patch(
        f"{URL}/{integration.id}", {"active": False, "secret": "rotated"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["active"] is False
    integration.refresh_from_db()
    assert integration.secret == "rotated"
    assert "rotated" not in response.content.decode()

    assert api_client.delete(f"{URL}/{integration.id}").status_code == 204
    assert not Integration.objects.exists()


def test_a_generated_secret_is_returned_once_so_signatures_can_be_checked(api_client):
    response = api_client.post(
        URL,
        {
            "name": "CRM",
            "url": "https://crm.example.com/x",
            "events": ["message.status"],
            "timeoutSeconds": 5,
        },
        format="json",
    )
    assert response.status_code == 201
    integration = Integration.objects.get()
    assert len(integration.secret) >= 32
    assert (response.json()["secret"], response.json()["timeoutSeconds"]) == (
        integration.secret,
        5,
    )
    assert "secret" not in api_client.get(f"{URL}/{integration.id}").json()

    # Rotating by sending a blank secret shows the new one, once.
    response = api_client.patch(f"{URL}/{integration.id}", {"secret": ""}, format="json")
    integration.refresh_from_db()
    assert response.json()["secret"] == integration.secret
    assert (
        "secret"
        not in api_client.patch(f"{URL}/{integration.id}", {"active": False}, format="json").json()
    )


def test_integration_validation(api_client):
    for body, field in [
        ({"name": "x", "url": "not a url", "events": ["turn.ready"]}, "url"),
        ({"name": "x", "url": "https://a.example.com", "events": ["nope"]}, "events"),
        ({"name": "x", "url": "https://a.example.com", "events": []}, "events"),
        ({"url": "https://a.example.com", "events": ["turn.ready"]}, "name"),
    ]:
        error = assert_error(api_client.post(URL, body, format="json"), 400, "validation_error")
        assert field in error["details"], body


def test_deliveries_with_attempts_and_redeliver(api_client, organization):
    integration = make_integration(organization)
    delivery = Delivery.objects.create(
        organization=organization,
        integration=integration,
        event="turn.ready",
        dedupe_key="t1",
        payload={"event": "turn.ready"},
        status=DeliveryStatus.FAILED,
        attempts_count=2,
        last_status_code=500,
        last_error="HTTP 500",
    )
    DeliveryAttempt.objects.create(delivery=delivery, number=1, status_code=503, latency_ms=12)
    DeliveryAttempt.objects.create(delivery=delivery, number=2, status_code=500, latency_ms=9)
    body = api_client.get(f"{URL}/{integration.id}/deliveries").json()
    assert body["pagination"]["total_data"] == 1
    row = body["data"][0]
    assert row["id"] == str(delivery.id)
    assert row["status"] == "FAILED"
    assert row["lastError"] == "HTTP 500"
    assert [(a["number"], a["statusCode"], a["latencyMs"]) for a in row["attempts"]] == [
        (1, 503, 12),
        (2, 500, 9),
    ]

    response = api_client.post(f"/api/v1/deliveries/{delivery.id}/redeliver")
    assert response.status_code == 202
    assert response.json()["status"] == "PENDING"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
