"""Input is read exactly as the OpenAPI document types it (core/strict.py,
core/schema.py): a 400 when the request breaks the document, a 422 when it
matches it but cannot be carried out, never a 500, never a silent clamp."""

import pytest

from tests.support.api import assert_error

pytestmark = pytest.mark.django_db


def test_limit_above_100_is_a_400_not_a_smaller_page(api_client):
    assert_error(api_client.get("/api/v1/contacts?limit=101"), 400)
    assert api_client.get("/api/v1/contacts?limit=100").status_code == 200
    assert "page" in assert_error(api_client.get("/api/v1/contacts?page=0"), 400)["details"]
    assert "limit" in assert_error(api_client.get("/api/v1/contacts?limit=5x"), 400)["details"]


def test_a_query_parameter_given_twice_is_a_400_unless_it_is_a_list(api_client):
    assert "page" in assert_error(api_client.get("/api/v1/sessions?page=1&page=2"), 400)["details"]
    twice = api_client.get("/api/v1/sessions?instanceId=%s&instanceId=%s" % (("0" * 32,) * 2))
    assert "instanceId" in assert_error(twice, 400)["details"]
    assert api_client.get("/api/v1/sessions?status=ACTIVE&status=QUEUED").status_code == 200


def test_a_blank_filter_is_a_400_unless_it_is_free_text(api_client):
    assert (
        "tabulationId"
        in assert_error(api_client.get("/api/v1/contacts?tabulationId="), 400)["details"]
    )
    assert api_client.get("/api/v1/contacts?search=").status_code == 200
    assert api_client.get("/api/v1/sessions?ordering=").status_code == 200


@pytest.mark.parametrize(
    "value",
    ["2759-04-23T23:14:06-19:45", "2026-01-01T00:00:00+23:59", "0001-01-01T00:00:00+05:00"],
)
def test_any_offset_the_schema_admits_is_answered_never_a_500(api_client, value):
    response = api_client.get("/api/v1/sessions", {"createdTo": value})
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert "createdTo" in response.json()["error"]["details"]


def test_a_date_past_year_9999_in_utc_is_a_400_naming_the_filter(api_client):
    response = api_client.get("/api/v1/messages", {"createdFrom": "9999-12-31T23:00:00-05:00"})
    assert "createdFrom" in assert_error(response, 400)["details"]


def test_booleans_and_strings_are_not_coerced(api_client):
    zero = api_client.post("/api/v1/departments", {"name": "Vendas", "active": 0}, format="json")
    assert "active" in assert_error(zero, 400)["details"]
    number = api_client.post("/api/v1/tabulations", {"name": 5}, format="json")
    assert "name" in assert_error(number, 400)["details"]
    assert (
        "aiBlocked" in assert_error(api_client.get("/api/v1/sessions?aiBlocked=1"), 400)["details"]
    )


def test_bodies_are_json_only_except_uploads(api_client):
    form = api_client.post("/api/v1/departments", {"name": "Vendas"}, format="multipart")
    assert_error(form, 415, "unsupported_media_type")


def test_a_phone_of_the_wrong_shape_is_a_400_and_one_no_country_has_a_422(api_client):
    assert (
        "phone"
        in assert_error(api_client.post("/api/v1/contacts", {"phone": "0"}, format="json"), 400)[
            "details"
        ]
    )
    assert (
        "phone"
        in assert_error(
            api_client.post("/api/v1/contacts", {"phone": "00000000"}, format="json"), 422
        )["details"]
    )
    assert_error(api_client.get("/api/v1/contacts/by-phone/abc"), 400)
    assert_error(api_client.get("/api/v1/contacts/by-phone/00000000"), 404, "not_found")


def test_an_unknown_id_in_a_body_is_a_422_on_that_field(api_client, instance):
    response = api_client.post(
        "/api/v1/sessions",
        {"phone": "+55 11 98765-4321", "instanceId": "00000000-0000-4000-8000-000000000000"},
        format="json",
    )
    assert "instanceId" in assert_error(response, 422, "validation_error")["details"]


def test_a_session_starts_from_exactly_one_of_contact_or_phone(api_client, instance, contact):
    both = {"phone": "+55 11 98765-4321", "contactId": str(contact.id)}
    response = api_client.post(
        "/api/v1/sessions", {**both, "instanceId": str(instance.id)}, format="json"
    )
    assert_error(response, 400)


def test_a_path_that_names_no_route_is_the_json_404_even_in_debug(api_client, settings):
    settings.DEBUG = True
    response = api_client.get("/api/v1/sessions/null,null")
    assert_error(response, 404, "not_found")


def test_a_sandbox_instance_has_no_qr_code_409(api_client, instance):
    assert_error(api_client.get(f"/api/v1/instances/{instance.id}/qr"), 409, "qr_not_supported")


def test_an_instance_keeps_its_provider(api_client, instance):
    response = api_client.patch(
        f"/api/v1/instances/{instance.id}", {"provider": "evolution"}, format="json"
    )
    assert_error(response, 409, "provider_immutable")
    same = api_client.patch(
        f"/api/v1/instances/{instance.id}", {"provider": "sandbox"}, format="json"
    )
    assert same.status_code == 200


def test_every_operation_documents_its_errors_and_the_links_resolve(api_client):
    schema = api_client.get("/api/schema", HTTP_ACCEPT="application/json").json()
    operation_ids = {op["operationId"] for ops in schema["paths"].values() for op in ops.values()}
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/webhooks/"):
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "429", "503"} <= codes, (method, path)
            if method != "get":
                assert {"409", "413", "415", "422"} <= codes, (method, path)
            for response in operation["responses"].values():
                for link in response.get("links", {}).values():
                    assert link["operationId"] in operation_ids
    qr = schema["paths"]["/api/v1/instances/{instance_id}/qr"]["get"]["responses"]
    assert {"409", "502"} <= set(qr)
    created = schema["paths"]["/api/v1/sessions"]["post"]["responses"]["201"]["links"]
    assert created["GET_api_v1_sessions_session_id"]["parameters"] == {
        "session_id": "$response.body#/id"
    }
    body = schema["components"]["schemas"]["SessionCreateRequest"]
    assert body["oneOf"] == [{"required": ["contactId"]}, {"required": ["phone"]}]
    documents = schema["paths"]["/api/v1/assistants/{assistant_id}/documents"]["post"]
    assert list(documents["requestBody"]["content"]) == ["multipart/form-data"]
    encoding = documents["requestBody"]["content"]["multipart/form-data"]["encoding"]
    assert "application/pdf" in encoding["file"]["contentType"]
    departments = schema["paths"]["/api/v1/departments"]["post"]["requestBody"]["content"]
    assert list(departments) == ["application/json"]
