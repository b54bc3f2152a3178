"""A closed turn as the turn pipeline leaves it, for answering it in-process."""

from django.utils import timezone

from messaging.models import DispatchStatus, Message, Turn, TurnStatus
from tests.support import factories


def closed_turn(session, *texts: str) -> Turn:
    messages = [factories.make_message(session, text=text) for text in texts]
    now = timezone.now()
    turn = Turn.objects.create(
        organization=session.organization,
        session=session,
        status=TurnStatus.CLOSED,
        first_message_at=messages[0].created_at,
        last_message_at=messages[-1].created_at,
        closed_at=now,
        close_reason="window",
        text="\n".join(texts),
        messages_count=len(messages),
        dispatch_status=DispatchStatus.DISPATCHED,
    )
    Message.objects.filter(pk__in=[m.pk for m in messages]).update(turn=turn)
    return turn
