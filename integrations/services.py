"""Writes for integrations: the endpoints events are delivered to.

What happens to an event (the outbox, its deliveries) is
``integrations.deliveries``; one attempt to send one is
``integrations.sending``.
"""

from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import ValidationError
from integrations.models import Event, Integration, new_signing_secret

EVENT_NAMES = frozenset(Event.values)
INTEGRATION_EDITABLE_FIELDS = ("name", "url", "events", "secret", "is_active", "timeout_seconds")


def _clean_url(url: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            _("The URL must be an absolute http(s) URL."),
            details={"url": [gettext_noop("Invalid URL.")]},
        )
    return url


def _clean_events(events) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError(
            _("Subscribe to at least one event."),
            details={"events": [gettext_noop("Must be a non-empty list.")]},
        )
    unknown = sorted({str(e) for e in events} - EVENT_NAMES)
    if unknown:
        raise ValidationError(
            _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)},
            details={"events": [f"Allowed: {', '.join(sorted(EVENT_NAMES))}."]},
        )
    return sorted(set(events))


def integration_create(
    *,
    organization,
    name: str,
    url: str,
    events: list[str],
    secret: str | None = None,
    is_active: bool = True,
    timeout_seconds: int | None = None,
) -> Integration:
    if not (name or "").strip():
        raise ValidationError(
            _("A name is required."), details={"name": [gettext_noop("Required.")]}
        )
    extra = {"timeout_seconds": timeout_seconds} if timeout_seconds is not None else {}
    return Integration.objects.create(
        organization=organization,
        name=name.strip(),
        url=_clean_url(url),
        events=_clean_events(events),
        secret=secret or new_signing_secret(),
        is_active=is_active,
        **extra,
    )


def integration_update(*, integration: Integration, **fields) -> Integration:
    unknown = set(fields) - set(INTEGRATION_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Cannot change: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    if "url" in fields:
        fields["url"] = _clean_url(fields["url"])
    if "events" in fields:
        fields["events"] = _clean_events(fields["events"])
    if "secret" in fields and not fields["secret"]:
        fields["secret"] = new_signing_secret()
    if "name" in fields:
        if not (fields["name"] or "").strip():
            raise ValidationError(
                _("A name is required."), details={"name": [gettext_noop("Required.")]}
            )
        fields["name"] = fields["name"].strip()
    for key, value in fields.items():
        setattr(integration, key, value)
    integration.save()
    return integration


def integration_delete(*, integration: Integration) -> None:
    integration.delete()
