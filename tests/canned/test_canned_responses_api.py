import pytest

from accounts.models import Department
from canned.models import CannedResponse
from tests.support.api import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/canned-responses"


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def test_it_creates_reads_lists_updates_and_deletes_a_canned_response(api_client, department):
    response = api_client.post(
        URL,
        {
            "shortCode": "saudacao",
            "content": "Olá, {{contact.firstName}}! Sou {{agent.name}}.",
            "departmentId": str(department.id),
        },
        format="json",
    )
    assert response.status_code == 201
    canned = CannedResponse.objects.get()
    expected = {
        "id": str(canned.id),
        "shortCode": "saudacao",
        "content": "Olá, {{contact.firstName}}! Sou {{agent.name}}.",
        "departmentId": str(department.id),
        "createdAt": _iso(canned.created_at),
        "updatedAt": _iso(canned.updated_at),
    }
    assert response.json() == expected
    assert api_client.get(f"{URL}/{canned.id}").json() == expected
    assert api_client.get(URL).json()["data"] == [expected]

    patched = api_client.patch(
        f"{URL}/{canned.id}", {"content": "Até logo!", "departmentId": None}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["content"] == "Até logo!"
    assert patched.json()["departmentId"] is None
    assert patched.json()["shortCode"] == "saudacao"

    assert api_client.delete(f"{URL}/{canned.id}").status_code == 204
    assert not CannedResponse.objects.exists()
    assert_error(api_client.get(f"{URL}/{canned.id}"), 404, "not_found")


def test_search_matches_the_short_code_or_the_content(api_client):
    for code, content in [("saudacao", "Olá!"), ("prazo", "Entrega em 3 dias"), ("pix", "Chave")]:
        api_client.post(URL, {"shortCode": code, "content": content}, format="json")
    found = api_client.get(URL, {"search": "ENTREGA"}).json()["data"]
    assert [r["shortCode"] for r in found] == ["prazo"]
    found = api_client.get(URL, {"search": "sauda"}).json()["data"]
    assert [r["shortCode"] for r in found] == ["saudacao"]
    assert len(api_client.get(URL).json()["data"]) == 3


def test_a_taken_short_code_is_a_409_and_changes_nothing(api_client):
    first = api_client.post(URL, {"shortCode": "pix", "content": "A"}, format="json").json()
    assert_error(
        api_client.post(URL, {"shortCode": "pix", "content": "B"}, format="json"),
        409,
        "canned_short_code_taken",
    )
    other = api_client.post(URL, {"shortCode": "ted", "content": "C"}, format="json").json()
    assert_error(
        api_client.patch(f"{URL}/{other['id']}", {"shortCode": "pix"}, format="json"),
        409,
        "canned_short_code_taken",
    )
    assert CannedResponse.objects.get(pk=first["id"]).content == "A"
    assert CannedResponse.objects.get(pk=other["id"]).short_code == "ted"


def test_the_same_short_code_is_free_in_another_organization(api_client, other_api_client):
    assert (
        api_client.post(URL, {"shortCode": "pix", "content": "A"}, format="json").status_code == 201
    )
    response = other_api_client.post(URL, {"shortCode": "pix", "content": "B"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("code", ["", "Saudacao", "olá", "a b", "x" * 33, "/pix", " pix", 0])
def test_it_refuses_a_bad_short_code(api_client, code):
    error = assert_error(
        api_client.post(URL, {"shortCode": code, "content": "Oi"}, format="json"),
        400,
        "validation_error",
    )
    assert "shortCode" in error["details"]
    assert not CannedResponse.objects.exists()


def test_it_refuses_content_over_4096_characters(api_client):
    assert (
        api_client.post(URL, {"shortCode": "a", "content": "x" * 4096}, format="json").status_code
        == 201
    )
    error = assert_error(
        api_client.post(URL, {"shortCode": "b", "content": "x" * 4097}, format="json"), 400
    )
    assert "content" in error["details"]


def test_an_unknown_variable_is_refused_when_saved(api_client):
    error = assert_error(
        api_client.post(
            URL,
            {"shortCode": "oi", "content": "Olá {{contact.nome}}, {{ contact.name }}"},
            format="json",
        ),
        422,
        "unknown_variable",
    )
    assert error["details"]["variables"] == ["contact.nome"]
    assert "contact.firstName" in error["details"]["known"]
    assert not CannedResponse.objects.exists()
    ok = api_client.post(URL, {"shortCode": "oi", "content": "Oi {{session.id}}"}, format="json")
    assert_error(
        api_client.patch(f"{URL}/{ok.json()['id']}", {"content": "{{agent.email}}"}, format="json"),
        422,
        "unknown_variable",
    )
    assert CannedResponse.objects.get().content == "Oi {{session.id}}"


def test_another_organizations_department_is_a_422(api_client, other_organization):
    theirs = Department.objects.create(organization=other_organization, name="Theirs")
    error = assert_error(
        api_client.post(
            URL, {"shortCode": "a", "content": "b", "departmentId": str(theirs.id)}, format="json"
        ),
        422,
    )
    assert "departmentId" in error["details"]


def test_another_organizations_canned_response_is_a_404(api_client, other_api_client):
    canned = api_client.post(URL, {"shortCode": "pix", "content": "A"}, format="json").json()
    for call in (
        lambda: other_api_client.get(f"{URL}/{canned['id']}"),
        lambda: other_api_client.patch(f"{URL}/{canned['id']}", {"content": "B"}, format="json"),
        lambda: other_api_client.delete(f"{URL}/{canned['id']}"),
    ):
        assert_error(call(), 404, "not_found")
    assert other_api_client.get(URL).json()["data"] == []
    assert CannedResponse.objects.get(pk=canned["id"]).content == "A"


def test_bodies_are_json_only(api_client):
    response = api_client.post(URL, {"shortCode": "a", "content": "b"})  # multipart
    assert_error(response, 415)
    assert not CannedResponse.objects.exists()
