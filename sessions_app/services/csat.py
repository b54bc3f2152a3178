"""The satisfaction survey's marks on a session: asked, answered."""

from django.utils import timezone

from sessions_app.models import WHATSAPP_WINDOW, ChatSession
from sessions_app.services.events import session_event_record


def session_csat_asked(*, session: ChatSession, at=None) -> None:
    at = at or timezone.now()
    ChatSession.objects.filter(pk=session.pk).update(
        csat_asked_at=at, last_message_at=at, updated_at=at
    )
    session.csat_asked_at = session.last_message_at = session.updated_at = at


def session_csat_record(*, session: ChatSession, rating: int, comment: str, at=None) -> None:
    """The customer's rating (a message stored on the closed session): the
    survey is answered, and the message opens the WhatsApp window again like
    any customer message, so the thanks may be sent."""
    at = at or timezone.now()
    fields = {
        "csat_rating": rating,
        "csat_comment": comment[:1000],
        "csat_answered_at": at,
        "last_customer_message_at": at,
        "whatsapp_window_expires_at": at + WHATSAPP_WINDOW,
        "last_message_at": at,
        "updated_at": at,
    }
    ChatSession.objects.filter(pk=session.pk).update(**fields)
    for name, value in fields.items():
        setattr(session, name, value)
    session_event_record(
        session=session,
        code="csat_answered",
        actor="customer",
        data={"rating": rating, "comment": comment},
    )
