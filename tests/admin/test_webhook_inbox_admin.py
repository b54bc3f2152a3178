from django.contrib.auth import get_user_model
from django.utils import timezone

from messaging.models import WebhookInbox
from tests.support import factories


def _row(instance, **fields):
    return WebhookInbox.objects.create(
        instance=instance,
        body={"event": "messages.upsert"},
        body_sha256=f"{instance.pk.hex}{fields.pop('n', 0)}"[:64],
        received_at=timezone.now(),
        **fields,
    )


def test_superusers_see_failed_rows_with_their_error(client, instance):
    _row(instance, n=1, attempts=8, last_error="boom: the parser refused it")
    _row(instance, n=2, processed_at=timezone.now())
    client.force_login(get_user_model().objects.create_superuser("root", password="pw-123456"))

    page = client.get("/admin/messaging/webhookinbox/?processed_at__isempty=1")

    assert page.status_code == 200
    body = page.content.decode()
    assert "boom: the parser refused it" in body
    assert "1 webhook inbox row" in body


def test_agents_do_not_see_the_inbox(client, instance, organization):
    row = _row(instance)
    agent = factories.make_agent(organization, username="ana")
    client.force_login(agent.user)

    assert client.get("/admin/messaging/webhookinbox/").status_code == 403
    assert client.get(f"/admin/messaging/webhookinbox/{row.pk}/change/").status_code == 403
