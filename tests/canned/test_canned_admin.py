"""The canned responses' admin pages save through the service: the API's rules."""

import pytest
from django.urls import reverse

from accounts.models import Department
from canned.models import CannedResponse
from canned.services import canned_create
from tests.support.admin_forms import form_errors, submit

pytestmark = pytest.mark.django_db

ADD = "admin:canned_cannedresponse_add"


def test_an_agent_adds_one_for_their_organization(agent_client, organization):
    response = submit(
        agent_client, reverse(ADD), short_code="saudacao", content="Olá, {{contact.firstName}}!"
    )
    assert form_errors(response) == {}
    canned = CannedResponse.objects.get()
    assert (canned.organization, canned.short_code) == (organization, "saudacao")


def test_an_unknown_variable_is_a_form_error(agent_client):
    response = submit(agent_client, reverse(ADD), short_code="oi", content="Oi {{contact.nome}}")
    assert form_errors(response) == {"__all__": ["Unknown variable: {{contact.nome}}."]}
    assert not CannedResponse.objects.exists()


def test_a_taken_short_code_is_a_form_error(agent_client, organization):
    canned_create(organization=organization, short_code="pix", content="A")
    response = submit(agent_client, reverse(ADD), short_code="pix", content="B")
    assert form_errors(response) == {
        "__all__": ["A canned response with this short code already exists."]
    }


def test_an_agent_edits_one_and_picks_only_their_departments(
    agent_client, organization, other_organization
):
    sales = Department.objects.create(organization=organization, name="Vendas")
    theirs = Department.objects.create(organization=other_organization, name="Deles")
    canned = canned_create(organization=organization, short_code="pix", content="A")
    url = reverse("admin:canned_cannedresponse_change", args=[canned.pk])
    choices = agent_client.get(url).context["adminform"].form.fields["department"].queryset
    assert list(choices) == [sales]
    assert theirs not in choices
    response = submit(agent_client, url, content="Chave Pix: 123", department=str(sales.pk))
    assert form_errors(response) == {}
    canned.refresh_from_db()
    assert (canned.content, canned.department) == ("Chave Pix: 123", sales)
