"""Meta's ``message_template_status_update`` webhook: the status at once, then a sync."""

import pytest

from providers.models import MessageTemplate
from providers.tasks import template_sync_instance
from providers.templates.sync import templates_sync
from tests.support.replay import load_fixture
from tests.support.webhooks import QUEUED, post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]


@pytest.fixture
def cloud(cloud):
    """The shared Cloud API instance, its templates synced."""
    templates_sync(instance=cloud)
    return cloud


def test_a_status_update_applies_at_once_and_queues_a_sync(
    cloud, graph, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_webhook(cloud, load_fixture("cloudapi", "template_status_rejected"))

    assert response.json() == QUEUED
    promo = MessageTemplate.objects.get(name="promo_natal")
    assert (promo.status, promo.status_reason) == ("REJECTED", "INVALID_FORMAT")
    assert len(callbacks) == 1  # the sync, queued after the ingest commits

    # The sync that follows brings Meta's whole list (here: still PENDING there).
    template_sync_instance.apply(args=[str(cloud.pk)])
    promo.refresh_from_db()
    assert promo.status == "PENDING"


def test_an_approval_of_a_template_not_synced_yet_waits_for_the_sync(cloud, graph):
    MessageTemplate.objects.filter(name="pedido_enviado", language="pt_BR").delete()

    post_webhook(cloud, load_fixture("cloudapi", "template_status_approved"))

    assert not MessageTemplate.objects.filter(name="pedido_enviado", language="pt_BR").exists()
    template_sync_instance.apply(args=[str(cloud.pk)])
    assert MessageTemplate.objects.get(name="pedido_enviado", language="pt_BR").is_sendable
