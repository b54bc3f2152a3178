"""When a turn closes: one task per turn, rescheduled to the end of the last message's window."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Turn
from messaging.turns.close import turn_close_when_due, turn_due
from tests.support.pipeline import customer_says


@pytest.fixture
def scheduled(monkeypatch):
    """The turn_due tasks queued (args, kwargs, countdown), not run."""
    calls = []

    def record(args, kwargs=None, countdown=None, **options):
        calls.append((args, kwargs or {}, countdown))

    monkeypatch.setattr(turn_due, "apply_async", record)
    return calls


def test_only_the_message_that_opens_a_turn_schedules_its_task(
    chat_session, scheduled, django_capture_on_commit_callbacks
):
    chat_session.concat_timeout = 5
    chat_session.save()
    with django_capture_on_commit_callbacks(execute=True):
        for text in ("Oi", "tudo bem?", "preciso de ajuda"):
            customer_says(chat_session, text)

    turn = Turn.objects.get()
    # At the end of the window, on the first message's arrival time: the
    # webhooks still being stored are known (in flight), not waited for.
    assert [(args, kwargs, round(countdown)) for args, kwargs, countdown in scheduled] == [
        ((str(turn.pk),), {}, 5)
    ]
    assert (turn.messages_count, turn.last_seq) == (3, 3)


def test_the_task_waits_for_the_window_of_the_last_message_then_closes_once(
    chat_session, integration, scheduled
):
    chat_session.concat_timeout = 5
    chat_session.save()
    for text in ("Oi", "tudo bem?"):
        customer_says(chat_session, text)
    turn = Turn.objects.get()
    # As if the first message's window had run out while the second's still runs.
    now = timezone.now()
    Turn.objects.filter(pk=turn.pk).update(
        first_message_at=now - timedelta(seconds=5), last_message_at=now - timedelta(seconds=2)
    )

    assert turn_due.apply((str(turn.pk),)).get() == "waiting"
    (args, kwargs, countdown) = scheduled[-1]
    assert args == (str(turn.pk),) and 2.5 < countdown <= 3  # the second message's window

    Turn.objects.filter(pk=turn.pk).update(last_message_at=now - timedelta(seconds=6))
    assert turn_close_when_due(turn.pk) == ("closed", None)
    turn.refresh_from_db()
    assert (turn.status, turn.close_reason, turn.text) == ("CLOSED", "window", "Oi\ntudo bem?")
    # The chain ends on a turn that is no longer open.
    assert turn_due.apply((str(turn.pk),)).get() == "done"
    assert len(scheduled) == 1


def test_a_turn_never_paused_closes_at_the_max_wait(chat_session, integration, settings):
    settings.CONCAT_MAX_WAIT_SECONDS = 60
    customer_says(chat_session, "Oi")
    now = timezone.now()
    Turn.objects.update(first_message_at=now - timedelta(seconds=61), last_message_at=now)

    assert turn_close_when_due(Turn.objects.get().pk) == ("closed", None)
    assert Turn.objects.get().close_reason == "max_wait"


def test_the_last_message_allowed_closes_the_turn_at_once_without_a_second_chain(
    chat_session, integration, scheduled, settings, django_capture_on_commit_callbacks
):
    settings.CONCAT_MAX_MESSAGES = 3
    with django_capture_on_commit_callbacks(execute=True):
        for text in ("um", "dois", "três"):
            customer_says(chat_session, text)
    turn_id = str(Turn.objects.get().pk)
    assert [(kwargs, countdown and round(countdown)) for _, kwargs, countdown in scheduled] == [
        ({}, 8),  # the turn's own task, at its opening (its window)
        ({"poll": False}, None),  # the third message: close now
    ]

    assert turn_due.apply((turn_id,), {"poll": False}).get() == "closed"
    turn = Turn.objects.get()
    assert (turn.close_reason, turn.messages_count) == ("max_messages", 3)
    # The next message opens the next turn (and its own task).
    with django_capture_on_commit_callbacks(execute=True):
        customer_says(chat_session, "quatro")
    assert Turn.objects.filter(status="OPEN").get().messages_count == 1
    assert (scheduled[-1][1], round(scheduled[-1][2])) == ({}, 8)


def test_behind_a_proxy_the_task_looks_a_hop_after_the_window(
    chat_session, scheduled, settings, django_capture_on_commit_callbacks
):
    """A request the proxy stamped just before the end may still be on its
    way to a web process: the task runs 0.1 s after the window."""
    settings.ARRIVAL_HEADER = "X-Request-Start"
    chat_session.concat_timeout = 5
    chat_session.save()
    with django_capture_on_commit_callbacks(execute=True):
        customer_says(chat_session, "Oi")
    [(_, _, countdown)] = scheduled
    assert 5.0 < countdown <= 5.1
