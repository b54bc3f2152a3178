"""Webhooks carrying only events we do not act on, kept for operators.

A gateway sends many events Atende has no use for (presence, chats,
protocol chatter, content-less placeholders, newer event names). They are
answered 200 so the gateway stops retrying, and kept in the webhook inbox
as rows already processed, with the reasons in ``result.ignoredReasons``,
so a superuser can see in the admin why an event changed nothing. The
inbox's retention and cleanup apply to them like to any processed row.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from messaging.models import WebhookInbox
from providers.base import IgnoredEvent


def ignored_result(events: list[IgnoredEvent]) -> dict:
    """The inbox ``result`` of a webhook whose every event was ignored."""
    return {
        "stored": 0,
        "duplicates": 0,
        "echoes": 0,
        "statuses": 0,
        "revisions": 0,
        "ignored": len(events),
        "ignoredReasons": sorted({f"{e.event_type}: {e.reason}" for e in events}),
    }


def inbox_record_ignored(
    *, instance_id, raw_body: bytes, body: object, events: list[IgnoredEvent]
) -> bool:
    """Store the webhook as a processed inbox row; False when the same bytes
    are already there (a gateway retry). Nothing is queued: there is nothing
    to ingest."""
    now = timezone.now()
    try:
        with transaction.atomic():
            WebhookInbox.objects.create(
                instance_id=instance_id,
                body=body,
                body_sha256=hashlib.sha256(raw_body).hexdigest(),
                received_at=now,
                processed_at=now,
                result=ignored_result(events),
            )
    except IntegrityError:
        return False
    return True
