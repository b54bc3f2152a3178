"""Business hours in the admin: superusers set them through the API's service
(the same rules, shown on the form); agents only read them on a conversation."""

import json

from accounts.models import BusinessHours, Department
from tests.support import factories

ADD = "/admin/accounts/businesshours/add/"


def form(**fields):
    data = {
        "organization": "",
        "department": "",
        "enabled": "on",
        "timezone": "",
        "weekly": json.dumps([{"weekday": 0, "open": "09:00", "close": "18:00"}]),
        "holidays": json.dumps([{"date": "2026-12-25", "name": "Natal"}]),
        "out_of_office_message": "Voltamos às 9h.",
    }
    data.update(fields)
    return data


def test_a_superuser_sets_an_organizations_hours(superuser_client, organization):
    response = superuser_client.post(ADD, form(organization=str(organization.pk)))
    assert response.status_code == 302, response.content.decode()[:2000]
    hours = BusinessHours.objects.get(organization=organization)
    assert hours.timezone == organization.timezone
    assert hours.weekly == [{"weekday": 0, "open": "09:00", "close": "18:00"}]
    assert hours.holidays == [{"date": "2026-12-25", "name": "Natal"}]
    assert hours.enabled

    change = f"/admin/accounts/businesshours/{hours.pk}/change/"
    response = superuser_client.post(change, form(timezone="UTC", weekly="[]"))
    assert response.status_code == 302
    hours.refresh_from_db()
    assert (hours.timezone, hours.weekly, hours.organization) == ("UTC", [], organization)


def test_a_department_gets_its_own_hours(superuser_client, organization):
    plantao = Department.objects.create(organization=organization, name="Plantão")
    response = superuser_client.post(ADD, form(department=str(plantao.pk)))
    assert response.status_code == 302
    assert BusinessHours.objects.get(department=plantao).organization is None


def test_the_services_refusals_show_on_the_form(superuser_client, organization):
    night = json.dumps([{"weekday": 4, "open": "22:00", "close": "02:00"}])
    response = superuser_client.post(ADD, form(organization=str(organization.pk), weekly=night))
    assert response.status_code == 200
    assert "close must be after open on the same day." in response.content.decode()
    response = superuser_client.post(ADD, form())
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert not BusinessHours.objects.exists()


def test_agents_do_not_see_the_page(client, organization):
    agent = factories.make_agent(organization, username="ana")
    client.force_login(agent.user)
    assert client.get("/admin/accounts/businesshours/").status_code == 403
    assert client.get(ADD).status_code == 403
