"""Keeping an instance's templates in step with Meta.

``templates_sync`` replaces the copy with what
``GET /{businessAccountId}/message_templates`` lists (every page): on
demand (API, admin), every 3 hours (beat) and after a
``message_template_status_update`` webhook, whose status is applied at once
by ``template_status_apply``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, ValidationError
from providers.base import GatewayError, TemplateStatusEvent
from providers.models import Instance, MessageTemplate
from providers.registry import adapter_class, get_adapter
from providers.services import GatewayUnavailable

logger = logging.getLogger(__name__)


class UnsupportedByGatewayError(DomainError):
    status = 422
    code = "unsupported_by_gateway"


@dataclass(frozen=True)
class TemplateSyncResult:
    created: int
    updated: int
    deleted: int
    total: int


def templates_check_supported(instance: Instance) -> None:
    """Only Cloud API instances have templates (422 ``unsupported_by_gateway``)."""
    try:
        supported = adapter_class(instance.provider).has_templates()
    except LookupError:
        supported = False
    if not supported:
        raise UnsupportedByGatewayError(
            _("This gateway has no WhatsApp message templates (only the Cloud API has)."),
            details={"provider": instance.provider},
        )


def templates_sync(*, instance: Instance) -> TemplateSyncResult:
    templates_check_supported(instance)
    if not (instance.credentials or {}).get("businessAccountId"):
        raise ValidationError(
            _("Templates need the instance's businessAccountId (WhatsApp Business Account id)."),
            details={"credentials": ["businessAccountId is required to sync templates."]},
        )
    try:
        listed = get_adapter(instance).list_templates()
    except GatewayError as exc:
        raise GatewayUnavailable(
            _("The gateway did not list the templates: %(reason)s") % {"reason": exc.message},
            details={"instanceId": str(instance.pk)},
        ) from exc
    now = timezone.now()
    created = updated = 0
    with transaction.atomic():
        # One sync of an instance at a time (the beat's, a webhook's, the API's):
        # the second waits here and applies its own, newer, list after.
        list(Instance.objects.select_for_update().filter(pk=instance.pk).values_list("pk"))
        existing = {
            (t.name, t.language): t for t in MessageTemplate.objects.filter(instance=instance)
        }
        seen: set[tuple[str, str]] = set()
        for item in listed:
            key = (item.name, item.language)
            if key in seen:
                continue
            seen.add(key)
            values = {
                "provider_template_id": item.template_id[:64],
                "status": item.status[:32],
                "category": item.category[:32],
                "parameter_format": item.parameter_format[:16],
                "components": list(item.components),
                "synced_at": now,
            }
            row = existing.get(key)
            if row is None:
                MessageTemplate.objects.create(
                    instance=instance, name=item.name[:512], language=item.language[:16], **values
                )
                created += 1
                continue
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=list(values))
            updated += 1
        gone = [row.pk for key, row in existing.items() if key not in seen]
        MessageTemplate.objects.filter(pk__in=gone).delete()
    logger.info(
        "templates synced: instance=%s created=%s updated=%s deleted=%s",
        instance.pk,
        created,
        updated,
        len(gone),
    )
    return TemplateSyncResult(created, updated, len(gone), len(seen))


def template_status_apply(*, instance: Instance, event: TemplateStatusEvent) -> bool:
    """Meta's status change, applied before the next sync. False for a template
    we have not synced yet (the sync that follows brings it)."""
    updated = MessageTemplate.objects.filter(
        instance=instance, name=event.name, language=event.language
    ).update(status=event.status[:32], status_reason=event.reason[:500])
    return bool(updated)
