import pytest

from tests.support.api import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/organization"


def test_the_survey_settings_are_read_and_changed(api_client, organization):
    assert api_client.get(URL).json()["csat"] == {
        "enabled": False,
        "question": "De 1 a 5, como foi o atendimento?",
        "thanks": "Obrigado pela avaliação!",
    }
    response = api_client.patch(URL, {"csat": {"enabled": True}}, format="json")
    assert response.status_code == 200
    assert response.json()["csat"]["enabled"] is True
    response = api_client.patch(
        URL, {"csat": {"question": "Nota de 1 a 5?", "thanks": "Valeu!"}}, format="json"
    )
    assert response.json()["csat"] == {
        "enabled": True,
        "question": "Nota de 1 a 5?",
        "thanks": "Valeu!",
    }
    organization.refresh_from_db()
    assert (organization.csat_enabled, organization.csat_thanks) == (True, "Valeu!")


@pytest.mark.parametrize(
    "body",
    [
        {"csat": {"question": ""}},
        {"csat": {"thanks": "x" * 501}},
        {"csat": {"enabled": "maybe"}},
        {"csat": "on"},
    ],
)
def test_bad_settings_are_a_400_and_change_nothing(api_client, organization, body):
    assert_error(api_client.patch(URL, body, format="json"), 400, "validation_error")
    organization.refresh_from_db()
    assert organization.csat_enabled is False
    assert organization.csat_question == "De 1 a 5, como foi o atendimento?"


def test_a_key_changes_only_its_own_organization(other_api_client, organization):
    other_api_client.patch(URL, {"csat": {"enabled": True}}, format="json")
    organization.refresh_from_db()
    assert organization.csat_enabled is False


def test_the_body_is_json_only(api_client):
    assert_error(api_client.patch(URL, {"csat": "x"}), 415)


def test_put_needs_every_field_of_the_survey(api_client, organization):
    assert_error(api_client.put(URL, {"csat": {"enabled": True}}, format="json"), 400)
    body = {"csat": {"enabled": True, "question": "Nota?", "thanks": "Valeu"}}
    response = api_client.put(URL, body, format="json")
    assert response.status_code == 200
    assert response.json()["csat"] == body["csat"]
