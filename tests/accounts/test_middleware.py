"""A console request stamps the agent's last request, at most once a minute."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Agent

pytestmark = pytest.mark.django_db
LIST_URL = "/admin/sessions_app/chatsession/"


def _stamps(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "accounts_agent"')]


def test_a_stale_stamp_is_renewed_and_a_fresh_one_costs_no_write(agent_client, agent):
    stale = timezone.now() - timedelta(minutes=5)
    Agent.objects.filter(pk=agent.pk).update(last_seen_at=stale)
    with CaptureQueriesContext(connection) as first:
        assert agent_client.get(LIST_URL).status_code == 200
    agent.refresh_from_db()
    assert agent.last_seen_at > stale
    assert len(_stamps(first.captured_queries)) == 1

    stamped = agent.last_seen_at
    with CaptureQueriesContext(connection) as second:
        assert agent_client.get(LIST_URL).status_code == 200
    agent.refresh_from_db()
    assert agent.last_seen_at == stamped
    assert _stamps(second.captured_queries) == []
