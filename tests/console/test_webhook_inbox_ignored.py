"""A superuser sees in the webhook inbox why a gateway event changed nothing."""

from django.urls import reverse
from django.utils import timezone

from messaging.models import WebhookInbox
from tests.support import factories


def test_the_inbox_lists_each_rows_ignored_reasons_for_a_superuser(
    superuser_client, agent_client, organization
):
    instance = factories.make_instance(organization, name="Main")
    now = timezone.now()
    ignored = WebhookInbox.objects.create(
        instance=instance,
        body={"event": "presence.update"},
        body_sha256="a" * 64,
        received_at=now,
        processed_at=now,
        result={
            "ignored": 2,
            "ignoredReasons": [
                "MessageEditEvent: unknown message",
                "presence.update: event not used",
            ],
        },
    )
    WebhookInbox.objects.create(
        instance=instance,
        body={"event": "messages.upsert"},
        body_sha256="b" * 64,
        received_at=now,
        processed_at=now,
        result={"stored": 1, "ignored": 0, "ignoredReasons": []},
    )
    url = reverse("admin:messaging_webhookinbox_changelist")

    body = superuser_client.get(url).content.decode()
    assert "presence.update: event not used" in body
    assert "MessageEditEvent: unknown message" in body
    filtered = superuser_client.get(url, {"ignored": "yes"}).context["cl"].result_list
    assert [row.pk for row in filtered] == [ignored.pk]
    assert agent_client.get(url).status_code == 403
