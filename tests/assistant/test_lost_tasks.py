"""A turn meant for the assistant whose task was lost is answered by the sweeper's wake-up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assistant.models import AssistantRun, RunStatus
from assistant.tasks import requeue_lost
from messaging.models import Author, Message, Turn
from tests.assistant.helpers import closed_turn
from tests.support import factories
from tests.support.pipeline import wait_for

pytestmark = pytest.mark.worker


def test_the_sweeper_queues_a_lost_turn_once(celery_worker, contact, bound_instance, model):
    session = factories.make_session(contact=contact, instance=bound_instance)
    lost = closed_turn(session, "alguém aí?")
    fresh = closed_turn(session, "acabou de chegar")
    Turn.objects.filter(pk=lost.pk).update(closed_at=timezone.now() - timedelta(minutes=2))

    assert requeue_lost() == 1

    run = wait_for(
        lambda: AssistantRun.objects.filter(turn=lost, status=RunStatus.ANSWERED).first()
    )
    assert run is not None
    assert Message.objects.filter(session=session, author=Author.AI).count() == 1
    assert not AssistantRun.objects.filter(turn=fresh).exists()  # its own task is not late yet
    assert requeue_lost() == 0


def test_a_run_whose_worker_died_is_taken_over(
    celery_worker, contact, bound_instance, model, settings
):
    session = factories.make_session(contact=contact, instance=bound_instance)
    turn = closed_turn(session, "oi?")
    long_ago = timezone.now() - timedelta(seconds=settings.ASSISTANT_TASK_TIME_LIMIT + 120)
    AssistantRun.objects.create(
        organization=session.organization,
        assistant=bound_instance.assistant,
        session=session,
        turn=turn,
        started_at=long_ago,
    )

    assert requeue_lost() == 1

    assert wait_for(
        lambda: AssistantRun.objects.filter(turn=turn, status=RunStatus.ANSWERED).exists()
    )
    assert Message.objects.filter(session=session, author=Author.AI).count() == 1
