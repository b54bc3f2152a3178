"""The console dashboard on the admin index (what needs an agent now) and
the filters console templates share."""

from datetime import timedelta

from django import template
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.admin_scope import organization_of, scope_queryset
from console.availability import availability_context
from console.sessions import status_label
from contacts.phones import phone_display
from integrations.models import Delivery, DeliveryStatus
from providers.models import ConnectionStatus, Instance
from sessions_app.event_text import known_phrase
from sessions_app.models import ChatSession, SessionStatus
from transcription.results import NOT_CONFIGURED

# Why a file was not transcribed, as the transcription backends store it
# (English, on the message) and as an agent reads it.
SKIP_REASONS = {
    NOT_CONFIGURED: gettext_lazy("transcription not configured"),
    "the video has no audio track": gettext_lazy("the video has no audio track"),
    "the PDF has no text layer and no page images": gettext_lazy(
        "the PDF has no text layer and no page images"
    ),
    "the document has no text": gettext_lazy("the document has no text"),
    "the file is empty": gettext_lazy("the file is empty"),
}

register = template.Library()


@register.inclusion_tag("admin/atende/availability_switch.html", takes_context=True)
def availability_switch(context) -> dict:
    """The header's online / away / offline switch (agents only)."""
    request = context.get("request")
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "availability": availability_context(request),
    }


@register.filter
def phone(value: str) -> str:
    """A stored phone as people write it: +55 11 98765-4321."""
    return phone_display(value or "")


@register.filter
def system_phrase(value: str) -> str:
    """A stored reason (English when the system wrote it) for the reader."""
    return known_phrase(value)


@register.filter
def skip_reason(value: str) -> str:
    """Why a file was not transcribed, for the reader (as stored when unknown)."""
    return str(SKIP_REASONS.get((value or "").strip(), value))


@register.filter
def session_status(value: str) -> str:
    return status_label(value)


CSAT_DAYS = 30


def csat_average_card(sessions, sessions_url: str, now) -> dict:
    """The average satisfaction rating of the last 30 days' answers."""
    answered = sessions.filter(
        csat_answered_at__gte=now - timedelta(days=CSAT_DAYS), csat_rating__isnull=False
    ).aggregate(average=Avg("csat_rating"), count=Count("id"))
    average = answered["average"]
    return {
        "key": "csat",
        "label": ngettext(
            "Satisfaction, last %(days)s days (%(count)s answer)",
            "Satisfaction, last %(days)s days (%(count)s answers)",
            answered["count"],
        )
        % {"days": CSAT_DAYS, "count": answered["count"]},
        "count": number_format(average, 1) if average is not None else "—",
        "url": f"{sessions_url}?csat=answered",
    }


def dashboard_cards(request) -> list[dict]:
    if not request.user.is_superuser and organization_of(request) is None:
        return []
    now = timezone.now()
    sessions = scope_queryset(
        request,
        ChatSession.objects.all(),
        organization_path="organization",
        department_path="assigned_department",
    )
    deliveries = scope_queryset(request, Delivery.objects.all(), organization_path="organization")
    instances = scope_queryset(request, Instance.objects.all(), organization_path="organization")
    sessions_url = reverse("admin:sessions_app_chatsession_changelist")
    disconnected = [ConnectionStatus.DISCONNECTED, ConnectionStatus.ERROR]
    return [
        {
            "key": "queued",
            "label": _("Queued"),
            "count": sessions.filter(status=SessionStatus.QUEUED).count(),
            "url": f"{sessions_url}?status__exact=QUEUED",
            "alert": True,
        },
        {
            "key": "active",
            "label": _("Active"),
            "count": sessions.filter(status=SessionStatus.ACTIVE).count(),
            "url": f"{sessions_url}?status__exact=ACTIVE",
        },
        {
            "key": "paused",
            "label": _("Paused"),
            "count": sessions.filter(status=SessionStatus.PAUSED).count(),
            "url": f"{sessions_url}?status__exact=PAUSED",
        },
        {
            "key": "ai_blocked",
            "label": _("AI blocked"),
            "count": sessions.exclude(status=SessionStatus.CLOSED)
            .filter(ai_blocked_until__gt=now)
            .count(),
            "url": f"{sessions_url}?ai=blocked",
        },
        {
            "key": "failed_deliveries",
            "label": _("Failed deliveries"),
            "count": deliveries.filter(status=DeliveryStatus.FAILED).count(),
            "url": reverse("admin:integrations_delivery_changelist") + "?status__exact=FAILED",
            "alert": True,
        },
        {
            "key": "disconnected_instances",
            "label": _("Disconnected instances"),
            "count": instances.filter(connection_status__in=disconnected, is_active=True).count(),
            "url": reverse("admin:providers_instance_changelist") + "?connection=down",
            "alert": True,
        },
        csat_average_card(sessions, sessions_url, now),
    ]


@register.inclusion_tag("admin/atende/dashboard.html", takes_context=True)
def console_dashboard(context):
    return {"cards": dashboard_cards(context["request"])}
