"""Reads for instances."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.db.models import Q, QuerySet

from providers.models import Instance, MessageTemplate, Provider


def instance_list(*, organization) -> QuerySet[Instance]:
    return Instance.objects.filter(organization=organization).order_by("name", "id")


# Webhook traffic names the same few instances hundreds of times a second;
# each process keeps what it found for WEBHOOK_INSTANCE_CACHE_SECONDS. The
# price: deactivating an instance or changing its secrets (URL secret, Cloud
# API app secret, UAZapi token) reaches webhooks that much later. Misses are
# not kept, so a new instance works at once and unknown secrets fill nothing.
_webhook_instances: dict[tuple, tuple[float, Instance]] = {}
_WEBHOOK_CACHE_MAX = 1000


def _webhook_cached(key: tuple, load: Callable[[], Instance | None]) -> Instance | None:
    ttl = settings.WEBHOOK_INSTANCE_CACHE_SECONDS
    if ttl <= 0:
        return load()
    now = time.monotonic()
    hit = _webhook_instances.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    instance = load()
    if instance is None:
        _webhook_instances.pop(key, None)
        return None
    if len(_webhook_instances) >= _WEBHOOK_CACHE_MAX:
        _webhook_instances.clear()
    _webhook_instances[key] = (now + ttl, instance)
    return instance


def instance_webhook_cache_clear() -> None:
    _webhook_instances.clear()


def instance_for_webhook(*, provider: str, webhook_secret: str) -> Instance | None:
    """The active instance a webhook URL's secret names (briefly cached per process)."""
    if not webhook_secret:
        return None
    return _webhook_cached(
        (provider, "secret", webhook_secret),
        lambda: Instance.objects.filter(
            provider=provider, webhook_secret=webhook_secret, is_active=True
        ).first(),
    )


def instance_for_webhook_by_id(*, provider: str, instance_id) -> Instance | None:
    return _webhook_cached(
        (provider, "id", str(instance_id)),
        lambda: Instance.objects.filter(provider=provider, pk=instance_id, is_active=True).first(),
    )


def instances_to_poll() -> QuerySet[Instance]:
    return Instance.objects.filter(is_active=True).order_by("last_health_check_at", "id")


def instances_with_templates(*, pk=None) -> list[Instance]:
    """Active Cloud API instances that name their business account (templates to sync).

    Credentials are encrypted at rest, so the database cannot look inside
    them: the (few) Cloud API instances are read and filtered here.
    """
    instances = Instance.objects.filter(is_active=True, provider=Provider.CLOUDAPI)
    if pk is not None:
        instances = instances.filter(pk=pk)
    return [i for i in instances if (i.credentials or {}).get("businessAccountId")]


def template_list(
    *, instance: Instance, status: str = "", language: str = "", search: str = ""
) -> QuerySet[MessageTemplate]:
    templates = MessageTemplate.objects.filter(instance=instance)
    if status:
        templates = templates.filter(status=status.upper())
    if language:
        templates = templates.filter(language=language)
    if search:
        templates = template_search(templates, search)
    return templates.order_by("name", "language", "id")


def template_search(templates: QuerySet[MessageTemplate], search: str) -> QuerySet[MessageTemplate]:
    """By name or by any text of its components (the body's words)."""
    return templates.filter(Q(name__icontains=search) | Q(components__icontains=search))


def template_for_send(*, instance: Instance, name: str, language: str) -> MessageTemplate | None:
    return MessageTemplate.objects.filter(instance=instance, name=name, language=language).first()


def instance_webhook_url(instance: Instance, request=None) -> str:
    """The absolute URL to paste into the gateway; it authenticates on its own."""
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if not base and request is not None:
        base = f"{request.scheme}://{request.get_host()}"
    return f"{base}/api/v1/webhooks/{instance.provider}/{instance.webhook_secret}"
