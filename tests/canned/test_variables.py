import pytest

from canned.variables import fill_variables, unknown_variables, variable_values
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_every_variable_is_filled_for_the_session_and_the_agent(organization, instance):
    contact = factories.make_contact(organization, phone="5531987654321", name="Maria Souza")
    session = factories.make_session(contact=contact, instance=instance)
    values = variable_values(session=session, agent_name="Ana")
    text = fill_variables(
        "{{contact.name}}|{{contact.firstName}}|{{ contact.phone }}|{{agent.name}}|"
        "{{organization.name}}|{{session.id}}",
        values,
    )
    assert text == (f"Maria Souza|Maria|+55 31 98765-4321|Ana|{organization.name}|{session.id}")


def test_a_contact_without_a_name_leaves_the_name_empty(organization, instance):
    contact = factories.make_contact(organization, phone="5531987654321", name="")
    session = factories.make_session(contact=contact, instance=instance)
    values = variable_values(session=session, agent_name="Ana")
    assert fill_variables("Olá, {{contact.firstName}}!", values) == "Olá, !"


def test_unknown_variables_are_listed_once_in_order():
    assert unknown_variables("{{a}} {{contact.name}} {{b.c}} {{a}} {plain} {{}}") == [
        "a",
        "b.c",
        "",
    ]
    assert unknown_variables("Sem variáveis.") == []
