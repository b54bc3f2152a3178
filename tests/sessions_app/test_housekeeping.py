"""Beat housekeeping: idle sessions close, timed pauses resume."""

from datetime import timedelta

from django.utils import timezone

from sessions_app.models import ChatSession
from sessions_app.services.lifecycle import session_pause
from sessions_app.tasks import sessions_close_idle, sessions_resume_paused
from tests.support import factories


def test_sessions_idle_longer_than_the_organization_timeout_are_closed(organization, instance):
    organization.session_timeout_hours = 2
    organization.save()
    now = timezone.now()
    idle = factories.make_session(
        contact=factories.make_contact(organization),
        instance=instance,
        status="ACTIVE",
        last_message_at=now - timedelta(hours=3),
    )
    recent = factories.make_session(
        contact=factories.make_contact(organization),
        instance=instance,
        last_message_at=now - timedelta(hours=1),
    )
    assert sessions_close_idle() == 1
    idle.refresh_from_db()
    recent.refresh_from_db()
    assert (idle.status, idle.end_reason) == (
        "CLOSED",
        "Encerrada automaticamente por inatividade (2h)",
    )
    assert recent.status == "QUEUED"
    assert idle.events.get().actor == "system"


def test_paused_sessions_resume_when_their_time_passes(chat_session):
    session_pause(
        session=chat_session, actor="agent:ana", paused_until=timezone.now() + timedelta(hours=1)
    )
    assert sessions_resume_paused() == 0
    ChatSession.objects.filter(pk=chat_session.pk).update(
        paused_until=timezone.now() - timedelta(seconds=1)
    )
    assert sessions_resume_paused() == 1
    chat_session.refresh_from_db()
    assert (chat_session.status, chat_session.paused_until) == ("ACTIVE", None)
