"""Reads for integrations (see STYLE.md)."""

from django.db.models import QuerySet

from integrations.models import Delivery, Integration


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
