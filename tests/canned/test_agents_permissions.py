"""Every agent may manage the organization's canned responses."""

import pytest

from tests.support import factories

pytestmark = pytest.mark.django_db

CODENAMES = {f"{a}_cannedresponse" for a in ("view", "add", "change", "delete")}


def canned_permissions(user) -> set[str]:
    return set(
        user.user_permissions.filter(content_type__app_label="canned").values_list(
            "codename", flat=True
        )
    )


def test_a_new_agent_may_manage_canned_responses(organization):
    agent = factories.make_agent(organization)
    assert canned_permissions(agent.user) == CODENAMES
