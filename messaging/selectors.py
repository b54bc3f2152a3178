"""Reads for this app (see docs/STYLE.md)."""

from django.conf import settings
from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from core.metrics import gauge
from messaging.models import Message, WebhookInbox
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


def inbox_backlog_metrics():
    """Scrape-time gauges (core.metrics): the webhook inbox's unprocessed rows per instance."""
    now = timezone.now()
    retryable = Q(attempts__lt=settings.WEBHOOK_INBOX_MAX_ATTEMPTS)
    rows = list(
        WebhookInbox.objects.filter(processed_at__isnull=True)
        .values("instance_id", "instance__organization_id")
        .annotate(
            pending=Count("id", filter=retryable),
            stuck=Count("id", filter=~retryable),
            oldest=Min("received_at", filter=retryable),
        )
        .order_by()
    )
    labels = ["organization", "instance"]
    yield gauge(
        "atende_inbox_pending_rows",
        "Webhook inbox rows waiting to be ingested (still retryable), per instance.",
        labels,
        [(r["instance__organization_id"], r["instance_id"], r["pending"]) for r in rows],
    )
    yield gauge(
        "atende_inbox_oldest_pending_age_seconds",
        "Age of the oldest webhook inbox row waiting to be ingested, per instance.",
        labels,
        [
            (
                r["instance__organization_id"],
                r["instance_id"],
                (now - r["oldest"]).total_seconds() if r["oldest"] else 0,
            )
            for r in rows
        ],
    )
    yield gauge(
        "atende_inbox_stuck_rows",
        "Webhook inbox rows out of attempts, left for an operator, per instance.",
        labels,
        [(r["instance__organization_id"], r["instance_id"], r["stuck"]) for r in rows],
    )
