import pytest

from contacts.models import ContactTabulation, Tabulation
from sessions_app.models import SessionTabulation
from tests.support.api import assert_error


def test_it_creates_and_reads_a_tabulation(api_client):
    response = api_client.post(
        "/api/v1/tabulations",
        {
            "name": "Lead",
            "backgroundColor": "#FF9900",
            "description": "quote",
            "autoTabulation": True,
        },
        format="json",
    )
    assert response.status_code == 201
    tabulation = Tabulation.objects.get()
    expected = {
        "id": str(tabulation.id),
        "name": "Lead",
        "description": "quote",
        "backgroundColor": "#ff9900",
        "autoTabulation": True,
        "active": True,
        "createdAt": tabulation.created_at.isoformat().replace("+00:00", "Z"),
        "updatedAt": tabulation.updated_at.isoformat().replace("+00:00", "Z"),
    }
    assert response.json() == expected
    assert api_client.get(f"/api/v1/tabulations/{tabulation.id}").json() == expected
    listed = api_client.get("/api/v1/tabulations").json()
    assert listed["data"] == [expected]


@pytest.mark.parametrize("color", ["red", "#fff", "#GG0000", "ff9900", "#ff99001"])
def test_it_rejects_a_bad_color(api_client, color):
    response = api_client.post(
        "/api/v1/tabulations", {"name": "Lead", "backgroundColor": color}, format="json"
    )
    error = assert_error(response, 400, "validation_error")
    assert "backgroundColor" in error["details"]


def test_a_duplicate_name_is_a_409(api_client, tabulation):
    assert_error(
        api_client.post("/api/v1/tabulations", {"name": "Lead"}, format="json"),
        409,
        "tabulation_name_taken",
    )


def test_it_patches_a_tabulation(api_client, tabulation):
    response = api_client.patch(
        f"/api/v1/tabulations/{tabulation.id}",
        {"backgroundColor": "#00aa00", "active": False},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["backgroundColor"] == "#00aa00"
    assert response.json()["active"] is False
    assert_error(
        api_client.patch(
            f"/api/v1/tabulations/{tabulation.id}", {"backgroundColor": "green"}, format="json"
        ),
        400,
    )


def test_delete_is_refused_while_in_use(api_client, tabulation, contact, chat_session):
    ContactTabulation.objects.create(contact=contact, tabulation=tabulation)
    SessionTabulation.objects.create(session=chat_session, tabulation=tabulation)
    error = assert_error(
        api_client.delete(f"/api/v1/tabulations/{tabulation.id}"), 409, "tabulation_in_use"
    )
    assert error["details"] == {"contacts": 1, "sessions": 1}
    ContactTabulation.objects.all().delete()
    SessionTabulation.objects.all().delete()
    assert api_client.delete(f"/api/v1/tabulations/{tabulation.id}").status_code == 204
    assert not Tabulation.objects.exists()
