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


def test_a_superuser_can_have_failed_rows_ingested_again(
    superuser_client, organization, monkeypatch, django_capture_on_commit_callbacks
):
    from messaging.inbound.drain import inbox_drain_instance
    from messaging.inbound.tasks import inbox_drain
    from messaging.models import Message
    from tests.support.replay import load_fixture

    instance = factories.make_instance(organization, provider="evolution")
    woken = []
    monkeypatch.setattr(inbox_drain, "apply_async", lambda args, **options: woken.append(args))
    failed = _row(instance, n=1, attempts=8, last_error="RuntimeError: database was down")
    failed.body = load_fixture("evolution", "text")
    failed.save()
    done = _row(instance, n=2, processed_at=timezone.now(), attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            "/admin/messaging/webhookinbox/",
            {"action": "ingest_again", "_selected_action": [failed.pk, done.pk]},
            follow=True,
        )

    assert "1 row(s) queued to be ingested again" in response.content.decode()
    failed.refresh_from_db()
    assert (failed.attempts, failed.last_error) == (0, "")
    assert woken == [(str(instance.pk), failed.partition)]
    assert inbox_drain_instance(instance.pk)["processed"] == 1
    assert Message.objects.get().provider_message_id == "A1B2C3D4E5F60718293A4B5C6D7E8F90"
    done.refresh_from_db()
    assert done.attempts == 1  # a processed row is left alone
