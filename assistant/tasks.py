"""Thin tasks: the turn answer and the sweeper that re-queues lost ones."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assistant.answer import turn_answer
from assistant.models import Assistant, AssistantRun, RunStatus
from assistant.replies import ANSWERED_BY
from messaging.models import DispatchStatus, Turn, TurnStatus

# A dispatched turn with no run this long after closing lost its task.
LOST_AFTER = timedelta(seconds=60)
# Older turns are left alone: answering an hour-old message is worse than not.
GIVE_UP_AFTER = timedelta(minutes=30)


def turn_answerer(*, turn, session) -> str | None:
    """Registered with messaging.turns.dispatch: takes the turn when the session's
    instance has an active assistant of the same organization."""
    assistant_id = session.instance.assistant_id
    if assistant_id is None:
        return None
    if not Assistant.objects.filter(
        pk=assistant_id, organization_id=turn.organization_id, is_active=True
    ).exists():
        return None
    turn_id = str(turn.pk)
    transaction.on_commit(lambda: answer_turn.delay(turn_id))
    return ANSWERED_BY


@shared_task(
    name="assistant.answer_turn",
    ignore_result=True,
    time_limit=settings.ASSISTANT_TASK_TIME_LIMIT,
    soft_time_limit=settings.ASSISTANT_TASK_TIME_LIMIT - 30,
)
def answer_turn(turn_id: str) -> str:
    return turn_answer(turn_id=turn_id)


@shared_task(name="assistant.requeue_lost", ignore_result=True, time_limit=60, soft_time_limit=50)
def requeue_lost() -> int:
    """Wake up turns whose answer was lost: dispatched to an assistant with no
    run (the task never reached a worker), or with a RUNNING run older than
    the task's hard time limit (its worker died; the claim takes it over).
    The run's unique turn makes a duplicate wake-up harmless."""
    now = timezone.now()
    recent = Turn.objects.filter(
        status=TurnStatus.CLOSED,
        dispatch_status=DispatchStatus.DISPATCHED,
        closed_at__gte=now - GIVE_UP_AFTER,
        session__instance__assistant__is_active=True,
    )
    never_started = recent.filter(closed_at__lt=now - LOST_AFTER).exclude(
        pk__in=AssistantRun.objects.values("turn_id")
    )
    stale = now - timedelta(seconds=settings.ASSISTANT_TASK_TIME_LIMIT + 60)
    died = recent.filter(
        pk__in=AssistantRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=stale).values(
            "turn_id"
        )
    )
    turn_ids = [
        *never_started.values_list("pk", flat=True)[:200],
        *died.values_list("pk", flat=True)[:200],
    ]
    for turn_id in turn_ids:
        answer_turn.delay(str(turn_id))
    return len(turn_ids)
