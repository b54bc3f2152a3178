"""Reads for instances."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from providers.models import Instance


def instance_list(*, organization) -> QuerySet[Instance]:
    return Instance.objects.filter(organization=organization).order_by("name", "id")


def instance_get(*, organization, instance_id) -> Instance | None:
    return Instance.objects.filter(organization=organization, pk=instance_id).first()


def instance_for_webhook(*, provider: str, webhook_secret: str) -> Instance | None:
    """The active instance a webhook URL's secret names (organization loaded: one query)."""
    if not webhook_secret:
        return None
    return (
        Instance.objects.select_related("organization")
        .filter(provider=provider, webhook_secret=webhook_secret, is_active=True)
        .first()
    )


def instance_for_webhook_by_id(*, provider: str, instance_id) -> Instance | None:
    return (
        Instance.objects.select_related("organization")
        .filter(provider=provider, pk=instance_id, is_active=True)
        .first()
    )


def instances_to_poll() -> QuerySet[Instance]:
    return Instance.objects.filter(is_active=True).order_by("last_health_check_at", "id")


def instance_webhook_url(instance: Instance, request=None) -> str:
    """The absolute URL to paste into the gateway; it authenticates on its own."""
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if not base and request is not None:
        base = f"{request.scheme}://{request.get_host()}"
    return f"{base}/api/v1/webhooks/{instance.provider}/{instance.webhook_secret}"
