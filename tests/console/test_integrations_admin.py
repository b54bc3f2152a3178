"""Integrations: deliveries with their attempts, and redelivery."""

import re

import pytest
from django.urls import reverse

from integrations.models import DeliveryStatus

pytestmark = pytest.mark.django_db


def test_a_delivery_page_lists_its_attempts(agent_client, world):
    delivery = world["delivery"]
    body = agent_client.get(
        reverse("admin:integrations_delivery_change", args=[delivery.pk])
    ).content.decode()
    assert "boom" in body  # the attempt's error
    assert 'id="atd-redeliver"' in body


def test_redeliver_offers_a_failed_delivery_again(
    agent_client, world, django_capture_on_commit_callbacks
):
    delivery = world["delivery"]
    url = reverse("admin:integrations_delivery_redeliver", args=[delivery.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = agent_client.post(url, follow=True)
    messages = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert messages == [("success", "1 delivery queued again.")]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert len(callbacks) == 1


def test_redeliver_is_a_list_action_too(agent_client, world, django_capture_on_commit_callbacks):
    delivery = world["delivery"]
    with django_capture_on_commit_callbacks(execute=False):
        response = agent_client.post(
            reverse("admin:integrations_delivery_changelist"),
            {"action": "redeliver_action", "_selected_action": [str(delivery.pk)]},
            follow=True,
        )
    assert "1 delivery queued again." in response.content.decode()


def test_the_integration_page_lists_recent_deliveries(superuser_client, world):
    body = superuser_client.get(
        reverse("admin:integrations_integration_change", args=[world["integration"].pk])
    ).content.decode()
    assert "recent deliveries" in body.lower()
    assert "turn.ready" in body
    assert reverse("admin:integrations_delivery_change", args=[world["delivery"].pk]) in body


def test_the_integration_page_shows_only_the_latest_deliveries(superuser_client, world):
    from integrations.admin import RECENT_DELIVERIES
    from integrations.models import Delivery

    integration = world["integration"]
    Delivery.objects.bulk_create(
        Delivery(
            organization=integration.organization,
            integration=integration,
            event="message.status",
            dedupe_key=f"bulk-{n}",
            payload={},
        )
        for n in range(RECENT_DELIVERIES + 15)
    )
    body = superuser_client.get(
        reverse("admin:integrations_integration_change", args=[integration.pk])
    ).content.decode()
    changes = re.findall(r"/admin/integrations/delivery/[0-9a-f-]+/change/", body)
    assert len(changes) == RECENT_DELIVERIES
