"""Reads for this app (see STYLE.md)."""

from django.db.models import Prefetch, QuerySet

from messaging.models import Message
from sessions_app.selectors import session_list


def message_list(*, organization) -> QuerySet[Message]:
    """Messages of one organization, newest first.

    The API's message shape reads only the row itself, so no joins are needed.
    """
    return Message.objects.filter(organization=organization).order_by("-created_at", "-id")


def messages_of_session(*, session) -> QuerySet[Message]:
    return message_list(organization=session.organization_id).filter(session=session)


def messages_of_contact(*, contact) -> QuerySet[Message]:
    """Every message with the contact across all sessions (by-contact ``allMessages``)."""
    return message_list(organization=contact.organization_id).filter(contact=contact)


def messages_latest(*, session, limit: int) -> list[Message]:
    """The last ``limit`` messages of a session, oldest first (for reading in order)."""
    latest = list(messages_of_session(session=session)[:limit])
    latest.reverse()
    return latest


BY_CONTACT_MESSAGES_PER_SESSION = 10


def sessions_by_contact(*, contact) -> QuerySet:
    """Every session of a contact, newest first, each with its last messages.

    The sliced Prefetch becomes one windowed query (ROW_NUMBER per session),
    so 1 or 200 sessions cost the same number of queries.
    """
    return (
        session_list(organization=contact.organization_id)
        .filter(contact=contact)
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.order_by("-created_at", "-id")[
                    :BY_CONTACT_MESSAGES_PER_SESSION
                ],
                to_attr="latest_messages",
            )
        )
        .order_by("-created_at", "-id")
    )
