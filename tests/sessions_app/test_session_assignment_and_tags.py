import pytest

from accounts.models import Department
from core.errors import ValidationError
from sessions_app.models import SessionEvent, SessionTabulation
from sessions_app.services.assignment import (
    session_assign,
    session_tabulations_add,
    session_tabulations_remove,
)
from tests.support import factories


def test_it_assigns_a_department_and_an_agent(chat_session, organization):
    department = Department.objects.create(organization=organization, name="Vendas")
    agent = factories.make_agent(organization, username="ana")
    session_assign(session=chat_session, actor="api:x", department=department, agent=agent)
    chat_session.refresh_from_db()
    assert (chat_session.assigned_department, chat_session.assigned_agent) == (department, agent)
    assert SessionEvent.objects.get(session=chat_session).code == "assigned"


def test_it_refuses_another_organizations_department_or_agent(chat_session, other_organization):
    department = Department.objects.create(organization=other_organization, name="Vendas")
    agent = factories.make_agent(other_organization, username="bob")
    with pytest.raises(ValidationError):
        session_assign(session=chat_session, actor="api:x", department=department)
    with pytest.raises(ValidationError):
        session_assign(session=chat_session, actor="api:x", agent=agent)
    chat_session.refresh_from_db()
    assert chat_session.assigned_department is None and chat_session.assigned_agent is None


def test_adding_a_tag_twice_keeps_one(chat_session, organization):
    tag = factories.make_tabulation(organization, "vip")
    session_tabulations_add(session=chat_session, tabulations=[tag], actor="api:x")
    session_tabulations_add(session=chat_session, tabulations=[tag], actor="api:x")
    assert SessionTabulation.objects.filter(session=chat_session).count() == 1
    assert SessionEvent.objects.filter(session=chat_session, code="tag_added").count() == 1


def test_removing_an_absent_tag_does_nothing(chat_session, organization):
    tag = factories.make_tabulation(organization, "vip")
    session_tabulations_remove(session=chat_session, tabulations=[tag], actor="api:x")
    assert not SessionEvent.objects.filter(session=chat_session).exists()
    session_tabulations_add(session=chat_session, tabulations=[tag], actor="api:x")
    session_tabulations_remove(session=chat_session, tabulations=[tag], actor="api:x")
    assert not SessionTabulation.objects.filter(session=chat_session).exists()
    assert list(
        SessionEvent.objects.filter(session=chat_session).values_list("code", flat=True)
    ) == ["tag_added", "tag_removed"]


def test_it_refuses_another_organizations_tag(chat_session, other_organization):
    tag = factories.make_tabulation(other_organization, "vip")
    with pytest.raises(ValidationError):
        session_tabulations_add(session=chat_session, tabulations=[tag], actor="api:x")
