import pytest

from contacts.models import Contact, ContactTabulation
from tests.support import factories
from tests.support.api import assert_error


def test_it_creates_a_contact_from_a_typed_phone(api_client):
    response = api_client.post(
        "/api/v1/contacts",
        {"phone": "+55 (11) 98765-4321", "name": "Maria", "email": "m@example.com"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    contact = Contact.objects.get()
    assert body == {
        "id": str(contact.id),
        "name": "Maria",
        "phone": "5511987654321",
        "email": "m@example.com",
        "externalId": "",
        "bypassBots": False,
        "source": None,
        "profilePictureUrl": "",
        "tabulations": [],
        "createdAt": contact.created_at.isoformat().replace("+00:00", "Z"),
        "updatedAt": contact.updated_at.isoformat().replace("+00:00", "Z"),
    }


def test_the_same_number_in_another_format_is_a_409(api_client, contact):
    response = api_client.post("/api/v1/contacts", {"phone": "11 98765-4321"}, format="json")
    error = assert_error(response, 409, "contact_already_exists")
    assert error["details"] == {"contactId": str(contact.id)}


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "phone"),
        ({"phone": "abc"}, "phone"),
        ({"phone": "5511987654321", "email": "x"}, "email"),
    ],
)
def test_it_rejects_invalid_contacts(api_client, body, field):
    error = assert_error(api_client.post("/api/v1/contacts", body, format="json"), 400)
    assert field in error["details"]


@pytest.mark.parametrize(
    "typed",
    ["+55 (11) 98765-4321", "5511987654321", "11987654321", "1187654321", "55 11 8765-4321"],
)
def test_by_phone_finds_a_contact_however_the_number_is_typed(api_client, contact, typed):
    response = api_client.get(f"/api/v1/contacts/by-phone/{typed}")
    assert response.status_code == 200
    assert response.json()["id"] == str(contact.id)


def test_by_phone_unknown_is_404_and_garbage_is_400(api_client, contact):
    assert_error(api_client.get("/api/v1/contacts/by-phone/5511911112222"), 404, "not_found")
    assert_error(api_client.get("/api/v1/contacts/by-phone/not-a-phone"), 400)


def test_it_updates_only_the_editable_fields(api_client, contact):
    response = api_client.patch(
        f"/api/v1/contacts/{contact.id}",
        {"name": "Maria S.", "externalId": "crm-1", "bypassBots": True},
        format="json",
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.name, contact.external_id, contact.bypass_bots) == ("Maria S.", "crm-1", True)
    assert response.json()["bypassBots"] is True


def test_patch_rejects_wrong_types(api_client, contact):
    assert_error(
        api_client.patch(f"/api/v1/contacts/{contact.id}", {"bypassBots": "maybe"}, format="json"),
        400,
        "validation_error",
    )


def test_list_searches_and_filters(api_client, organization, tabulation):
    maria = factories.make_contact(organization, phone="5511987654321", name="Maria")
    joao = factories.make_contact(
        organization, phone="5521987654321", name="João", bypass_bots=True
    )
    factories.make_contact(organization, phone="5531987654321", email="zeca@example.com")
    ContactTabulation.objects.create(contact=maria, tabulation=tabulation)

    def ids(**params):
        body = api_client.get("/api/v1/contacts", params).json()
        return {row["id"] for row in body["data"]}

    assert ids(search="mar") == {str(maria.id)}
    assert ids(search="21 98765") == {str(joao.id)}
    assert len(ids(search="zeca@")) == 1
    assert ids(tabulationId=str(tabulation.id)) == {str(maria.id)}
    assert ids(bypassBots="true") == {str(joao.id)}
    body = api_client.get("/api/v1/contacts", {"limit": 2}).json()
    assert body["pagination"] == {
        "total_data": 3,
        "total_pages": 2,
        "page": 1,
        "limit": 2,
        "has_next_page": True,
        "has_previous_page": False,
    }


def test_tabulations_are_added_idempotently_and_removed(api_client, contact, tabulation):
    url = f"/api/v1/contacts/{contact.id}/tabulations"
    body = {"tabulationIds": [str(tabulation.id)]}
    assert api_client.post(url, body, format="json").status_code == 200
    response = api_client.post(url, body, format="json")
    assert response.json()["tabulations"] == [
        {"id": str(tabulation.id), "name": "Lead", "backgroundColor": "#ff9900"}
    ]
    assert ContactTabulation.objects.filter(contact=contact).count() == 1
    response = api_client.delete(url, body, format="json")
    assert response.status_code == 200
    assert response.json()["tabulations"] == []
    assert api_client.delete(url, body, format="json").status_code == 200


def test_another_organizations_tabulation_is_a_422(api_client, contact, other_organization):
    foreign = factories.make_tabulation(other_organization, name="Theirs")
    response = api_client.post(
        f"/api/v1/contacts/{contact.id}/tabulations",
        {"tabulationIds": [str(foreign.id)]},
        format="json",
    )
    error = assert_error(response, 422, "validation_error")
    assert "tabulationIds" in error["details"]
    assert not ContactTabulation.objects.exists()


def test_tabulation_ids_must_be_uuids(api_client, contact):
    response = api_client.post(
        f"/api/v1/contacts/{contact.id}/tabulations", {"tabulationIds": ["x"]}, format="json"
    )
    assert_error(response, 400, "validation_error")
