"""The admin index shows what needs an agent now, within their scope."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import Delivery, Integration
from providers.models import ConnectionStatus
from tests.support import factories

pytestmark = pytest.mark.django_db


def cards(client) -> dict:
    body = client.get(reverse("admin:index")).content.decode()
    return {
        key: int(count)
        for key, count in re.findall(
            r'data-card="(\w+)">\s*<span class="atd-count">(\d+)</span>', body
        )
    }


def test_it_counts_sessions_deliveries_and_instances(agent_client, organization, instance):
    def session(**fields):
        return factories.make_session(
            contact=factories.make_contact(organization), instance=instance, **fields
        )

    session(status="QUEUED")
    session(status="QUEUED")
    session(status="ACTIVE", ai_blocked_until=timezone.now() + timedelta(minutes=10))
    session(status="ACTIVE", ai_blocked_until=timezone.now() - timedelta(minutes=10))
    session(status="PAUSED")
    session(status="CLOSED", ai_blocked_until=timezone.now() + timedelta(minutes=10))
    factories.make_instance(
        organization, name="down", connection_status=ConnectionStatus.DISCONNECTED
    )
    factories.make_instance(organization, name="broken", connection_status=ConnectionStatus.ERROR)
    integration = Integration.objects.create(
        organization=organization, name="Bot", url="https://bot.example.com"
    )
    for index, status in enumerate(["FAILED", "FAILED", "SUCCEEDED"]):
        Delivery.objects.create(
            organization=organization,
            integration=integration,
            event="turn.ready",
            dedupe_key=str(index),
            payload={},
            status=status,
        )
    assert cards(agent_client) == {
        "queued": 2,
        "active": 2,
        "paused": 1,
        "ai_blocked": 1,
        "failed_deliveries": 2,
        "disconnected_instances": 2,
    }


def test_each_card_links_to_its_filtered_list(agent_client, organization, instance):
    factories.make_instance(
        organization, name="down", connection_status=ConnectionStatus.DISCONNECTED
    )
    body = agent_client.get(reverse("admin:index")).content.decode()
    for link in [
        "/admin/sessions_app/chatsession/?status__exact=QUEUED",
        "/admin/sessions_app/chatsession/?ai=blocked",
        "/admin/integrations/delivery/?status__exact=FAILED",
        "/admin/providers/instance/?connection=down",
    ]:
        assert f'href="{link}"' in body, link
        assert agent_client.get(link).status_code == 200
