"""The console dashboard on the admin index: what needs an agent now."""

from django import template
from django.urls import reverse
from django.utils import timezone

from accounts.admin_scope import organization_of, scope_queryset
from integrations.models import Delivery, DeliveryStatus
from providers.models import ConnectionStatus, Instance
from sessions_app.models import ChatSession, SessionStatus

register = template.Library()


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
            "label": "Queued",
            "count": sessions.filter(status=SessionStatus.QUEUED).count(),
            "url": f"{sessions_url}?status__exact=QUEUED",
            "alert": True,
        },
        {
            "key": "active",
            "label": "Active",
            "count": sessions.filter(status=SessionStatus.ACTIVE).count(),
            "url": f"{sessions_url}?status__exact=ACTIVE",
        },
        {
            "key": "paused",
            "label": "Paused",
            "count": sessions.filter(status=SessionStatus.PAUSED).count(),
            "url": f"{sessions_url}?status__exact=PAUSED",
        },
        {
            "key": "ai_blocked",
            "label": "AI blocked",
            "count": sessions.exclude(status=SessionStatus.CLOSED)
            .filter(ai_blocked_until__gt=now)
            .count(),
            "url": f"{sessions_url}?ai=blocked",
        },
        {
            "key": "failed_deliveries",
            "label": "Failed deliveries",
            "count": deliveries.filter(status=DeliveryStatus.FAILED).count(),
            "url": reverse("admin:integrations_delivery_changelist") + "?status__exact=FAILED",
            "alert": True,
        },
        {
            "key": "disconnected_instances",
            "label": "Disconnected instances",
            "count": instances.filter(connection_status__in=disconnected, is_active=True).count(),
            "url": reverse("admin:providers_instance_changelist") + "?connection=down",
            "alert": True,
        },
    ]


@register.inclusion_tag("admin/atende/dashboard.html", takes_context=True)
def console_dashboard(context):
    return {"cards": dashboard_cards(context["request"])}
