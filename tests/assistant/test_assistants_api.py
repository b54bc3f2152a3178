"""/api/v1/assistants: CRUD, a write-only key, binding instances, and tenancy."""

import pytest

from accounts.models import Department
from assistant.models import Assistant
from providers.models import Instance
from tests.support import factories
from tests.support.api import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/assistants"


def create(client, **body):
    body.setdefault("name", "Ana")
    return client.post(URL, body, format="json")


def test_it_creates_an_assistant_and_never_returns_the_key(api_client):
    response = create(
        api_client,
        model="gpt-4.1-mini",
        baseUrl="http://127.0.0.1:11434/v1",
        apiKey="sk-secret-123",
        systemPrompt="Seja gentil.",
        temperature=0.5,
        maxHistoryMessages=10,
        maxReplyChars=600,
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert "apiKey" not in body and "sk-secret-123" not in response.content.decode()
    assert body["hasApiKey"] is True
    assert body["model"] == "gpt-4.1-mini"
    assert body["baseUrl"] == "http://127.0.0.1:11434/v1"
    assert body["maxHistoryMessages"] == 10 and body["maxReplyChars"] == 600
    assert body["active"] is True and body["instanceIds"] == []
    assert Assistant.objects.get(pk=body["id"]).api_key == "sk-secret-123"
    for url in (URL, f"{URL}/{body['id']}"):
        assert "sk-secret-123" not in api_client.get(url).content.decode()


def test_defaults_come_from_the_settings(api_client, settings):
    settings.ASSISTANT_DEFAULT_MODEL = "default-model"

    body = create(api_client).json()

    assert body["model"] == "default-model"
    assert body["hasApiKey"] is False
    assert body["maxHistoryMessages"] == 20
    assert body["dailyTokenBudget"] == settings.ASSISTANT_DAILY_TOKEN_BUDGET


def test_patch_changes_fields_and_a_blank_key_clears_it(api_client):
    assistant_id = create(api_client, apiKey="sk-1").json()["id"]

    response = api_client.patch(
        f"{URL}/{assistant_id}", {"systemPrompt": "Novo", "apiKey": ""}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["systemPrompt"] == "Novo"
    assert response.json()["hasApiKey"] is False


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"temperature": 5}, "temperature"),
        ({"temperature": False}, "temperature"),
        ({"temperature": "0.5"}, "temperature"),
        ({"baseUrl": "not a url"}, "baseUrl"),
        ({"maxHistoryMessages": 0}, "maxHistoryMessages"),
    ],
)
def test_bad_fields_are_400s(api_client, body, field):
    error = assert_error(create(api_client, **body), 400)
    assert field in error["details"]


def test_an_unknown_handoff_department_is_a_422(api_client):
    body = {"handoffDepartmentId": "00000000-0000-4000-8000-000000000000"}
    error = assert_error(create(api_client, **body), 422)
    assert "handoffDepartmentId" in error["details"]


def test_a_duplicate_name_is_a_409(api_client):
    create(api_client)
    assert_error(create(api_client), 409, "assistant_name_taken")


def test_the_handoff_department_must_be_the_organizations(
    api_client, organization, other_organization
):
    ours = Department.objects.create(organization=organization, name="Vendas")
    theirs = Department.objects.create(organization=other_organization, name="Vendas")

    assert_error(create(api_client, handoffDepartmentId=str(theirs.pk)), 422)
    body = create(api_client, handoffDepartmentId=str(ours.pk)).json()
    assert body["handoffDepartmentId"] == str(ours.pk)


def test_delete_unbinds_its_instances(api_client, instance):
    assistant_id = create(api_client).json()["id"]
    api_client.patch(
        f"/api/v1/instances/{instance.pk}", {"assistantId": assistant_id}, format="json"
    )

    assert api_client.delete(f"{URL}/{assistant_id}").status_code == 204

    instance.refresh_from_db()
    assert instance.assistant_id is None


def test_an_instance_names_its_assistant(api_client, instance):
    assistant_id = create(api_client).json()["id"]

    response = api_client.patch(
        f"/api/v1/instances/{instance.pk}", {"assistantId": assistant_id}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["assistantId"] == assistant_id
    assert api_client.get(f"{URL}/{assistant_id}").json()["instanceIds"] == [str(instance.pk)]

    created = api_client.post(
        "/api/v1/instances",
        {"name": "Second", "provider": "sandbox", "assistantId": assistant_id},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["assistantId"] == assistant_id

    response = api_client.patch(
        f"/api/v1/instances/{instance.pk}", {"assistantId": None}, format="json"
    )
    assert response.json()["assistantId"] is None


def test_an_unknown_assistant_cannot_be_bound(api_client, instance):
    error = assert_error(
        api_client.patch(
            f"/api/v1/instances/{instance.pk}",
            {"assistantId": "00000000-0000-4000-8000-000000000000"},
            format="json",
        ),
        422,
    )
    assert "assistantId" in error["details"]


# --- tenancy -------------------------------------------------------------------


def test_another_organization_cannot_see_or_change_an_assistant(api_client, other_api_client):
    assistant_id = create(api_client, apiKey="sk-a").json()["id"]

    assert other_api_client.get(URL).json()["data"] == []
    for method in ("get", "patch", "delete"):
        response = getattr(other_api_client, method)(
            f"{URL}/{assistant_id}", {"name": "Hijacked"}, format="json"
        )
        assert_error(response, 404, "not_found")
    assert Assistant.objects.get(pk=assistant_id).name == "Ana"


def test_another_organization_cannot_bind_an_assistant(
    api_client, other_api_client, other_organization
):
    assistant_id = create(api_client).json()["id"]
    theirs = factories.make_instance(other_organization, name="Theirs")

    error = assert_error(
        other_api_client.patch(
            f"/api/v1/instances/{theirs.pk}", {"assistantId": assistant_id}, format="json"
        ),
        422,
    )
    assert error["details"] == {"assistantId": ["Not found."]}
    assert_error(
        other_api_client.post(
            "/api/v1/instances",
            {"name": "New", "provider": "sandbox", "assistantId": assistant_id},
            format="json",
        ),
        422,
    )
    assert not Instance.objects.filter(assistant_id=assistant_id).exists()
