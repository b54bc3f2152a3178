"""Retention per organization (LGPD arts. 15–16): content past its days is erased.

``Organization.retention_*_days`` (null keeps): message texts (with their
media, transcriptions, turns, assistant-run details and delivery payloads),
media files alone (which may go sooner), and everything said in a session
closed longer ago than its delay. The rows stay, blank, as after an erasure
(``privacy.services.content``); the contacts stay. The daily
``privacy.retention_apply`` works in batches, each its own transaction, and
only picks rows not yet erased, so a run that dies is resumed by the next.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Organization
from core.metrics import RETENTION_ROWS_ERASED
from integrations.models import Delivery, DeliveryAttempt, DeliveryStatus
from messaging.models import Message, Turn, TurnStatus
from privacy.services.content import (
    csat_comments_blank,
    messages_blank,
    session_events_blank,
    turns_blank,
)
from sessions_app.models import ChatSession, SessionEvent, SessionStatus

logger = logging.getLogger(__name__)

BATCH = 500


def _in_batches(rows: Callable[[], QuerySet], erase: Callable[[list], int], kind: str) -> int:
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                rows().select_for_update(skip_locked=True).values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                return total
            erased = erase(ids)
        total += erased
        RETENTION_ROWS_ERASED.labels(kind=kind).inc(erased)


def _deliveries_blank(ids: list) -> int:
    DeliveryAttempt.objects.filter(delivery_id__in=ids).update(error="", response_excerpt="")
    return Delivery.objects.filter(pk__in=ids).update(payload={}, last_error="")


def _sessions_blank(ids: list) -> int:
    session_events_blank(ids)
    return ChatSession.objects.filter(pk__in=ids).update(
        status_reason="", end_reason="", ai_block_reason="", csat_comment=""
    )


def _messages(organization: Organization) -> int:
    cutoff = timezone.now() - timedelta(days=organization.retention_messages_days)
    org = organization.pk
    return (
        _in_batches(
            lambda: Message.objects.filter(
                organization_id=org, created_at__lt=cutoff, content_erased_at__isnull=True
            ),
            lambda ids: messages_blank(ids)["messages"],
            "messages",
        )
        + _in_batches(
            lambda: Turn.objects.filter(
                organization_id=org, status=TurnStatus.CLOSED, last_message_at__lt=cutoff
            ).exclude(text=""),
            lambda ids: turns_blank(ids)["turns"],
            "turns",
        )
        + _in_batches(
            lambda: (
                Delivery.objects.filter(organization_id=org, created_at__lt=cutoff)
                .exclude(status=DeliveryStatus.PENDING)
                .exclude(payload={})
            ),
            _deliveries_blank,
            "deliveries",
        )
        # The survey's comment is a message's text: it goes with the messages.
        + _in_batches(
            lambda: ChatSession.objects.filter(
                organization_id=org, csat_answered_at__lt=cutoff
            ).exclude(csat_comment=""),
            csat_comments_blank,
            "csat_comments",
        )
    )


def _media(organization: Organization) -> int:
    cutoff = timezone.now() - timedelta(days=organization.retention_media_days)
    return _in_batches(
        lambda: Message.objects.filter(
            organization_id=organization.pk, created_at__lt=cutoff
        ).exclude(media_file=""),
        lambda ids: messages_blank(ids, media_only=True)["messages"],
        "media",
    )


def _closed_sessions(organization: Organization) -> int:
    cutoff = timezone.now() - timedelta(days=organization.retention_closed_sessions_days)
    closed = Q(session__status=SessionStatus.CLOSED, session__closed_at__lt=cutoff)
    org = organization.pk
    return _in_batches(
        lambda: Message.objects.filter(closed, organization_id=org, content_erased_at__isnull=True),
        lambda ids: messages_blank(ids)["messages"],
        "messages",
    ) + _in_batches(
        lambda: ChatSession.objects.filter(
            organization_id=org, status=SessionStatus.CLOSED, closed_at__lt=cutoff
        ).filter(
            ~Q(end_reason="")
            | ~Q(status_reason="")
            | ~Q(csat_comment="")
            | Exists(SessionEvent.objects.filter(session=OuterRef("pk")).exclude(text=""))
        ),
        _sessions_blank,
        "sessions",
    )


def organization_retention_apply(organization: Organization) -> int:
    """Erase what the organization keeps no longer; returns the rows erased."""
    erased = 0
    if organization.retention_messages_days:
        erased += _messages(organization)
    if organization.retention_media_days:
        erased += _media(organization)
    if organization.retention_closed_sessions_days:
        erased += _closed_sessions(organization)
    return erased


@shared_task(
    name="privacy.retention_apply",
    ignore_result=True,
    time_limit=3600,
    soft_time_limit=3540,
)
def retention_apply() -> int:
    """Beat (daily): every organization's retention."""
    total = 0
    organizations = Organization.objects.filter(
        Q(retention_messages_days__isnull=False)
        | Q(retention_media_days__isnull=False)
        | Q(retention_closed_sessions_days__isnull=False)
    )
    for organization in organizations:
        erased = organization_retention_apply(organization)
        if erased:
            logger.info("retention erased %s rows of organization %s", erased, organization.pk)
        total += erased
    return total
