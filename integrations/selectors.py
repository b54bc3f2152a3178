"""Reads for integrations (see docs/STYLE.md)."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.metrics import gauge
from integrations.models import Delivery, DeliveryStatus, Integration

# A delivery that failed this recently still counts its integration as failing.
FAILING_WINDOW = timedelta(minutes=15)


def integrations_subscribed(organization_id, event: str) -> list[Integration]:
    """Active integrations of one organization that receive ``event``.

    Filtered in Python: an organization has a handful of integrations, and
    JSON containment is not portable (SQLite, the embedded setup, lacks it).
    """
    active = Integration.objects.filter(organization_id=organization_id, is_active=True)
    return [i for i in active.order_by("created_at") if event in (i.events or [])]


def integration_list(*, organization) -> QuerySet[Integration]:
    return Integration.objects.filter(organization=organization).order_by("name")


def delivery_list(*, integration: Integration) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(integration=integration)
        .prefetch_related("attempts")
        .order_by("-created_at")
    )


def integrations_failing_metrics():
    """Scrape-time gauge (core.metrics): integrations with a delivery being
    retried or failed in the last 15 minutes, per organization."""
    recent = timezone.now() - FAILING_WINDOW
    rows = (
        Delivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, attempts_count__gt=0, last_error__gt="")
            | Q(status=DeliveryStatus.FAILED, updated_at__gte=recent)
        )
        .values_list("organization_id")
        .annotate(count=Count("integration_id", distinct=True))
        .order_by()
    )
    yield gauge(
        "atende_integrations_failing",
        "Integrations with a delivery being retried or failed in the last 15 minutes.",
        ["organization"],
        rows,
    )
