"""Agents, new or made before canned responses existed, may manage them."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from tests.support import factories

pytestmark = pytest.mark.django_db

CODENAMES = {f"{a}_cannedresponse" for a in ("view", "add", "change", "delete")}
MIGRATION = importlib.import_module("canned.migrations.0001_initial")


def canned_permissions(user) -> set[str]:
    return set(
        user.user_permissions.filter(content_type__app_label="canned").values_list(
            "codename", flat=True
        )
    )


def test_a_new_agent_may_manage_canned_responses(organization):
    agent = factories.make_agent(organization)
    assert canned_permissions(agent.user) == CODENAMES


def test_the_migration_grants_them_to_earlier_agents_once(organization):
    agent = factories.make_agent(organization)
    agent.user.user_permissions.remove(
        *agent.user.user_permissions.filter(content_type__app_label="canned")
    )
    assert canned_permissions(agent.user) == set()
    with connection.schema_editor() as editor:
        MIGRATION.grant_agents_canned_permissions(apps, editor)
        MIGRATION.grant_agents_canned_permissions(apps, editor)
    assert canned_permissions(agent.user) == CODENAMES
    assert agent.user.has_perm("canned.add_cannedresponse")
