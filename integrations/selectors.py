"""Reads for integrations (see STYLE.md)."""

from django.db.models import QuerySet

from integrations.models import Delivery, Integration


def integrations_subscribed(organization_id, event: str) -> list[Integration]:
    """Active integrations of one organization that receive ``event``."""
    return list(
        Integration.objects.filter(
            organization_id=organization_id, is_active=True, events__contains=[event]
        ).order_by("created_at")
    )


def integration_list(*, organization) -> QuerySet[Integration]:
    return Integration.objects.filter(organization=organization).order_by("name")


def delivery_list(*, integration: Integration) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(integration=integration)
        .prefetch_related("attempts")
        .order_by("-created_at")
    )
