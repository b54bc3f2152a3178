"""Where a message's stored media is served: the API path and absolute URLs."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from messaging.models import Message


def absolute_url(path: str, request=None) -> str:
    """``path`` on this server: from the request, else PUBLIC_BASE_URL (deliveries
    have no request), else as it is."""
    if request is not None:
        return request.build_absolute_uri(path)
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else path


def media_api_path(message: Message) -> str | None:
    """Where an integrator fetches a stored file (with its API key), or None."""
    if not message.media_file:
        return None
    return reverse("message-media", args=[message.pk])
