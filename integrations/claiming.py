"""Which attempts of a batch of deliveries go now, claimed so that two
workers never send the same one, and in order per session: a session's
``turn.ready`` waits until the session's earlier turn has succeeded or
failed (``integrations.sending`` makes the attempts).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from core.db import is_postgresql
from integrations.models import Delivery, DeliveryStatus, Event

# Seconds a claimed attempt may take before the sweeper assumes the worker
# died with it and offers it again (added to the integration's timeout).
CLAIM_LEASE_MARGIN_SECONDS = 30


def waits_for_an_earlier_turn() -> Q:
    """A ``turn.ready`` whose session has an earlier turn's ``turn.ready``
    for the same integration still pending: it goes after that one has
    succeeded or failed, so a receiver gets a session's turns in order."""
    earlier = Delivery.objects.filter(
        integration_id=OuterRef("integration_id"),
        event=Event.TURN_READY,
        status=DeliveryStatus.PENDING,
        turn__session_id=OuterRef("turn__session_id"),
        turn__last_seq__lt=OuterRef("turn__last_seq"),
    )
    return Q(event=Event.TURN_READY, turn__isnull=False) & Exists(earlier)


def claim_due(ids: list[str], now) -> list[Delivery]:
    due = Delivery.objects.filter(
        pk__in=ids, status=DeliveryStatus.PENDING, next_attempt_at__lte=now + timedelta(seconds=1)
    ).exclude(waits_for_an_earlier_turn())
    rows = due.select_related("integration", "turn")
    if is_postgresql():
        # Locked, then claimed: a row another worker is claiming is skipped;
        # one it claimed meanwhile no longer matches (PostgreSQL checks the
        # WHERE again on the row it locks).
        with transaction.atomic():
            claimed = list(rows.select_for_update(skip_locked=True, of=("self",)))
            for lease, group in _by_lease(claimed).items():
                Delivery.objects.filter(pk__in=[d.pk for d in group]).update(
                    attempts_count=F("attempts_count") + 1,
                    next_attempt_at=now + lease,
                    updated_at=now,
                )
    else:
        # Without row locks: one conditional UPDATE each, on the attempt
        # count read with the row, so two workers never claim the same try.
        claimed = [
            d
            for d in rows
            if Delivery.objects.filter(
                pk=d.pk,
                status=DeliveryStatus.PENDING,
                attempts_count=d.attempts_count,
                next_attempt_at__lte=now + timedelta(seconds=1),
            ).update(
                attempts_count=F("attempts_count") + 1,
                next_attempt_at=now + _lease(d),
                updated_at=now,
            )
        ]
    for delivery in claimed:
        delivery.attempts_count += 1
    return claimed


def _lease(delivery: Delivery) -> timedelta:
    return timedelta(seconds=delivery.integration.timeout_seconds + CLAIM_LEASE_MARGIN_SECONDS)


def _by_lease(deliveries: list[Delivery]) -> dict:
    groups: dict = {}
    for delivery in deliveries:
        groups.setdefault(_lease(delivery), []).append(delivery)
    return groups


def unclaimed_outcomes(ids: list[str], claimed: list[Delivery], now) -> dict[str, str]:
    taken = {str(d.pk) for d in claimed}
    rest = [i for i in ids if i not in taken]
    pending = set(
        str(pk)
        for pk in Delivery.objects.filter(pk__in=rest, status=DeliveryStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    waiting = set()
    if pending:
        waiting = set(
            str(pk)
            for pk in Delivery.objects.filter(pk__in=pending, next_attempt_at__lte=now)
            .filter(waits_for_an_earlier_turn())
            .values_list("pk", flat=True)
        )
    return {
        i: "gone" if i not in pending else "waiting" if i in waiting else "not_due" for i in rest
    }
