"""The delivery outbox: an event becomes one Delivery row per subscribed
integration, written in the caller's transaction; sending starts after
commit (``integrations.sending`` makes the attempts).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.timefmt import iso_utc
from integrations.claiming import waits_for_an_earlier_turn
from integrations.models import Delivery, DeliveryStatus, Integration
from integrations.selectors import integrations_subscribed
from integrations.sending import deliveries_attempt, delivery_send_queue

logger = logging.getLogger(__name__)


@dataclass
class Publication:
    """One event to publish (``events_publish``)."""

    organization: object
    event: str
    payload: dict
    dedupe_key: str
    turn: object = None
    # The subscribed ones, when the caller already has them.
    integrations: list[Integration] | None = None


def event_publish(
    *,
    organization,
    event: str,
    payload: dict,
    dedupe_key: str,
    turn=None,
    integrations: list[Integration] | None = None,
    send_inline: bool = False,
) -> list[Delivery]:
    """Write one outbox row per active integration subscribed to ``event``.

    The same (integration, event, dedupe_key) is stored once: publishing an
    event again (a retried task, a second worker) adds nothing. Sending
    starts after the caller's transaction commits: by a task, or with
    ``send_inline`` (callers already inside a worker task) in this process.
    ``integrations``: the subscribed ones, when the caller already has them.
    """
    publication = Publication(organization, event, payload, dedupe_key, turn, integrations)
    return events_publish([publication], send_inline=send_inline)


def events_publish(publications: list[Publication], *, send_inline: bool = False) -> list[Delivery]:
    """``event_publish`` for many events at once: one INSERT and one read
    for all their rows, and with ``send_inline`` their first attempts made
    together once the transaction commits (``deliveries_attempt``)."""
    now = timezone.now()
    rows = []
    for p in publications:
        organization_id = getattr(p.organization, "pk", p.organization)
        body = {"event": p.event, "organizationId": str(organization_id), **p.payload}
        integrations = p.integrations
        if integrations is None:
            integrations = integrations_subscribed(organization_id, p.event)
        rows.extend(
            Delivery(
                organization_id=organization_id,
                integration=integration,
                event=p.event,
                dedupe_key=str(p.dedupe_key)[:200],
                payload=body,
                turn=p.turn,
                next_attempt_at=now,
            )
            for integration in integrations
        )
    if not rows:
        return []
    # ON CONFLICT DO NOTHING on (integration, event, dedupe_key); the ids are
    # made here, so the rows that exist under them now are the ones we added.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    inserted = set(
        Delivery.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
    )
    created = [r for r in rows if r.pk in inserted]
    if send_inline and created:
        ids = [d.pk for d in created]
        transaction.on_commit(lambda: _send_now(ids))
    else:
        for delivery in created:
            delivery_send_queue(delivery.pk)
    return created


def _send_now(delivery_ids: list) -> None:
    # If this process dies before or during these attempts, the rows stay
    # PENDING and deliveries_requeue_lost offers them again.
    try:
        deliveries_attempt(delivery_ids)
    except Exception:
        logger.exception("inline delivery attempts failed; queued instead")
        for delivery_id in delivery_ids:
            delivery_send_queue(delivery_id)


def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Offer a delivery again from the start (failed ones, or a manual replay).

    Refused while an attempt is in flight or a retry is scheduled (PENDING
    with ``next_attempt_at`` ahead): resetting it then would let a second
    worker send the same event alongside the first.
    """
    now = timezone.now()
    reset = (
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(status=DeliveryStatus.PENDING, next_attempt_at__gt=now)
        .update(
            status=DeliveryStatus.PENDING,
            attempts_count=0,
            next_attempt_at=now,
            last_error="",
            delivered_at=None,
            updated_at=now,
        )
    )
    delivery.refresh_from_db()
    if not reset:
        raise Conflict(
            _("This delivery is already being delivered; its next attempt is scheduled."),
            code="delivery_in_progress",
            details={
                "deliveryId": str(delivery.pk),
                "nextAttemptAt": iso_utc(delivery.next_attempt_at),
            },
        )
    delivery_send_queue(delivery.pk)
    return delivery


def deliveries_requeue_lost(*, older_than_seconds: int = 10, limit: int = 500) -> int:
    """Offer again PENDING deliveries whose task was lost (broker flushed, worker killed).

    Soon (10 s overdue): a turn's delivery is what the AI is waiting for. A
    task merely late in a long queue is offered twice; the attempt's claim
    (a conditional UPDATE) makes the second one a no-op. A ``turn.ready``
    waiting for its session's earlier turn is not lost: that one's end
    queues it."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=cutoff)
        .exclude(waits_for_an_earlier_turn())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in ids:
        delivery_send_queue(delivery_id)
    return len(ids)
