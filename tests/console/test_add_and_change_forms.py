"""Add and change forms save through the services: the console follows the
API's rules (normalized phones, generated secrets, validation), and a
service's refusal shows on the form instead of a 500."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import strip_tags

from accounts.models import Agent, Department
from contacts.models import Contact, Tabulation
from integrations.models import Integration
from providers.models import Instance
from tests.support import factories
from tests.support.admin_forms import form_errors, submit
from tests.support.console import login

pytestmark = pytest.mark.django_db


def add_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


# --- instance ---------------------------------------------------------------


def test_an_instance_added_in_the_admin_is_created_by_the_service(superuser_client, organization):
    response = submit(
        superuser_client,
        add_url(Instance),
        organization=str(organization.pk),
        name="  Loja centro ",
        provider="sandbox",
    )
    assert form_errors(response) == {}
    instance = Instance.objects.get(organization=organization)
    assert instance.name == "Loja centro"
    assert instance.webhook_secret


def test_an_instance_the_service_refuses_shows_the_reason_on_the_form(
    superuser_client, organization
):
    response = submit(
        superuser_client,
        add_url(Instance),
        organization=str(organization.pk),
        name="Evolution",
        provider="evolution",
        base_url=None,
        external_id="loja",
    )
    assert form_errors(response) == {"base_url": ["Required for this provider."]}
    assert not Instance.objects.exists()


def test_an_instance_edited_in_the_admin_is_checked_by_the_service(agent_client, instance):
    response = submit(agent_client, change_url(instance), concat_timeout="90")
    assert form_errors(response) == {"concat_timeout": ["Between 1 and 60 seconds."]}
    response = submit(agent_client, change_url(instance), name="Renamed", concat_timeout="12")
    assert form_errors(response) == {}
    instance.refresh_from_db()
    assert (instance.name, instance.concat_timeout) == ("Renamed", 12)


# --- integration ------------------------------------------------------------


def test_an_integration_added_in_the_admin_gets_a_signing_secret(superuser_client, organization):
    response = submit(
        superuser_client,
        add_url(Integration),
        organization=str(organization.pk),
        name="Bot",
        url="https://bot.example.com/hook",
        events='["turn.ready"]',
    )
    assert form_errors(response) == {}
    integration = Integration.objects.get(organization=organization)
    assert len(integration.secret) >= 32
    assert integration.events == ["turn.ready"]


def test_an_integration_with_unknown_events_is_refused_on_the_form(superuser_client, organization):
    response = submit(
        superuser_client,
        add_url(Integration),
        organization=str(organization.pk),
        name="Bot",
        url="https://bot.example.com/hook",
        events='["no.such.event"]',
    )
    assert list(form_errors(response)) == ["events"]
    assert not Integration.objects.exists()


def test_an_integration_edited_in_the_admin_keeps_its_secret(superuser_client, organization):
    integration = Integration.objects.create(
        organization=organization, name="Bot", url="https://a.example.com/", events=["turn.ready"]
    )
    secret = integration.secret
    response = submit(superuser_client, change_url(integration), url="ftp://nowhere")
    assert form_errors(response) == {"url": ["Enter a valid URL."]}
    response = submit(superuser_client, change_url(integration), url="https://b.example.com/")
    assert form_errors(response) == {}
    integration.refresh_from_db()
    assert (integration.url, integration.secret) == ("https://b.example.com/", secret)


# --- contact ----------------------------------------------------------------


def test_a_contact_added_in_the_admin_gets_a_normalized_phone(superuser_client, organization):
    response = submit(
        superuser_client,
        add_url(Contact),
        organization=str(organization.pk),
        phone="+55 (31) 98765-4321",
        name="Maria",
    )
    assert form_errors(response) == {}
    contact = Contact.objects.get(organization=organization)
    assert (contact.phone, contact.name) == ("5531987654321", "Maria")


def test_a_contact_added_twice_in_another_format_is_refused_on_the_form(
    superuser_client, organization
):
    factories.make_contact(organization, phone="5531987654321")
    response = submit(
        superuser_client,
        add_url(Contact),
        organization=str(organization.pk),
        phone="31 8765-4321",
    )
    assert form_errors(response) == {"__all__": ["A contact with this phone already exists."]}
    assert Contact.objects.count() == 1


def test_a_contact_edited_in_the_admin_gets_a_normalized_phone(agent_client, organization):
    contact = factories.make_contact(organization, phone="5531987654321", name="Maria")
    response = submit(agent_client, change_url(contact), phone="not a phone")
    assert form_errors(response) == {"phone": ["Not a valid phone number."]}
    response = submit(
        agent_client, change_url(contact), phone="(11) 91234-5678", name="Maria Silva"
    )
    assert form_errors(response) == {}
    contact.refresh_from_db()
    assert (contact.phone, contact.name) == ("5511912345678", "Maria Silva")


# --- tabulation -------------------------------------------------------------


def test_a_tabulation_added_in_the_admin_is_created_by_the_service(agent_client, organization):
    response = submit(agent_client, add_url(Tabulation), name=" VIP ", background_color="#ABCDEF")
    assert form_errors(response) == {}
    tag = Tabulation.objects.get(organization=organization)
    assert (tag.name, tag.background_color) == ("VIP", "#abcdef")


def test_a_tabulation_edited_in_the_admin_is_checked_by_the_service(agent_client, organization):
    tag = factories.make_tabulation(organization, name="VIP")
    response = submit(agent_client, change_url(tag), background_color="red")
    assert form_errors(response) == {"background_color": ["Must look like #RRGGBB."]}
    response = submit(agent_client, change_url(tag), name="Lead", background_color="#123456")
    assert form_errors(response) == {}
    tag.refresh_from_db()
    assert (tag.name, tag.background_color) == ("Lead", "#123456")


def test_a_tabulation_name_taken_is_refused_on_an_agents_form(agent_client, organization):
    # The agent's form has no organization field, so the model's own unique
    # check cannot see the clash: the service's refusal is what shows.
    factories.make_tabulation(organization, name="VIP")
    response = submit(agent_client, add_url(Tabulation), name="VIP", background_color="#ffffff")
    assert form_errors(response) == {"__all__": ["A tabulation with this name already exists."]}
    assert Tabulation.objects.count() == 1


# --- department -------------------------------------------------------------


def test_a_department_added_in_the_admin_is_created_by_the_service(superuser_client, organization):
    response = submit(
        superuser_client, add_url(Department), organization=str(organization.pk), name=" Vendas "
    )
    assert form_errors(response) == {}
    assert Department.objects.get(organization=organization).name == "Vendas"


def test_a_department_edited_in_the_admin_is_checked_by_the_service(superuser_client, organization):
    Department.objects.create(organization=organization, name="Vendas")
    department = Department.objects.create(organization=organization, name="Suporte")
    response = submit(superuser_client, change_url(department), name="Vendas")
    assert form_errors(response) == {
        "__all__": ["Department with this Organization and Name already exists."]
    }
    response = submit(superuser_client, change_url(department), name="Pós-venda")
    assert form_errors(response) == {}
    department.refresh_from_db()
    assert department.name == "Pós-venda"


# --- agent ------------------------------------------------------------------


def test_an_agent_added_and_edited_in_the_admin(superuser_client, organization):
    user = get_user_model().objects.create_user("bia", password="pw-123456", is_staff=True)
    department = Department.objects.create(organization=organization, name="Vendas")
    response = submit(
        superuser_client,
        add_url(Agent),
        user=str(user.pk),
        organization=str(organization.pk),
        display_name="Bia",
        departments=[str(department.pk)],
    )
    assert form_errors(response) == {}
    agent = Agent.objects.get(user=user)
    assert (agent.organization, agent.display_name) == (organization, "Bia")
    assert list(agent.departments.all()) == [department]
    response = submit(superuser_client, change_url(agent), display_name="Beatriz", departments=[])
    assert form_errors(response) == {}
    agent.refresh_from_db()
    assert agent.display_name == "Beatriz"
    assert not agent.departments.exists()


def test_save_messages_agree_in_portuguese_whatever_the_models_gender(agent, organization):
    # Django's pt_BR says "O etiqueta … foi adicionado"; locale_vendor rewords it.
    client = login(agent, language=None)
    added = submit(client, add_url(Tabulation), name="VIP", background_color="#ABCDEF")
    [note] = [strip_tags(m.message) for m in get_messages(added.wsgi_request)]
    assert note == "Cadastro de etiqueta “VIP” concluído com sucesso."
    tag = Tabulation.objects.get(organization=organization)
    changed = submit(client, change_url(tag), name="Lead")
    [note] = [strip_tags(m.message) for m in get_messages(changed.wsgi_request)]
    assert note == "Alteração de etiqueta “Lead” salva com sucesso."
