"""Session list columns, filters and badges for the agent console.

``ChatSessionAdmin`` is extended and registered by ``console/admin.py``,
which adds the columns that need messages (last message, unread count) and
the conversation page.
"""

from zoneinfo import ZoneInfo

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin_scope import (
    OrganizationScopedAdmin,
    OrganizationScopedInline,
    agent_of,
    console_zone,
    department_ids_of,
    organization_of,
)
from accounts.models import Agent, Department
from contacts.admin import PhoneSearchMixin, tag_chip
from contacts.models import Tabulation
from contacts.phones import phone_display
from providers.models import Instance
from sessions_app.event_text import known_phrase
from sessions_app.models import ChatSession, SessionStatus, SessionTabulation
from sessions_app.selectors import (
    NOT_DISPATCHED_AI_BLOCKED,
    NOT_DISPATCHED_BYPASS_BOTS,
    NOT_DISPATCHED_CLOSED,
    NOT_DISPATCHED_PAUSED,
    session_ai_refusal_reason,
)

# The console's words for statuses; the stored values (and the API) stay English.
STATUS_LABELS = {
    SessionStatus.QUEUED: gettext_lazy("Queued"),
    SessionStatus.ACTIVE: gettext_lazy("Active"),
    SessionStatus.PAUSED: gettext_lazy("Paused"),
    SessionStatus.CLOSED: gettext_lazy("Closed"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def organization_zone(organization) -> ZoneInfo:
    return console_zone(organization)


def local_time(value, organization, fmt: str = "%H:%M") -> str:
    if value is None:
        return ""
    return timezone.localtime(value, organization_zone(organization)).strftime(fmt)


def ai_state(session: ChatSession, now=None) -> tuple[str, str]:
    """(state, label) of the AI for a session: active, blocked, bypass, paused, closed.

    The reason is the one dispatch and the API give (session_ai_refusal_reason),
    so the badge never says something else than ``/ai-status``.
    """
    reason = session_ai_refusal_reason(session, now=now or timezone.now())
    if reason == NOT_DISPATCHED_CLOSED:
        return "closed", _("AI off: closed")
    if reason == NOT_DISPATCHED_PAUSED:
        return "paused", _("AI off: paused")
    if reason == NOT_DISPATCHED_AI_BLOCKED:
        until = local_time(session.ai_blocked_until, session.organization)
        return "blocked", _("AI blocked until %(time)s") % {"time": until}
    if reason == NOT_DISPATCHED_BYPASS_BOTS:
        return "bypass", _("AI off for this contact")
    return "active", _("AI active")


def ai_badge(session: ChatSession, now=None) -> str:
    state, label = ai_state(session, now)
    return format_html(
        '<span class="atd-badge atd-ai-{}" title="{}">{}</span>',
        state,
        known_phrase(session.ai_block_reason) if state == "blocked" else "",
        label,
    )


def status_badge(status: str) -> str:
    return format_html(
        '<span class="atd-status atd-status-{}" data-status="{}">{}</span>',
        status.lower(),
        status,
        status_label(status),
    )


class ViewFilter(admin.SimpleListFilter):
    """The two shortcuts of a shift: my sessions, and the queue nobody took."""

    title = gettext_lazy("view")
    parameter_name = "view"

    def lookups(self, request, model_admin):
        return [("mine", _("Mine")), ("queue", _("Queue (unassigned, open)"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            agent = agent_of(request)
            return queryset.filter(assigned_agent=agent) if agent else queryset.none()
        if self.value() == "queue":
            return queryset.filter(
                status__in=[SessionStatus.QUEUED, SessionStatus.ACTIVE, SessionStatus.PAUSED],
                assigned_agent__isnull=True,
            )
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """The status in the console's words; the parameter stays the one the
    dashboard's links use (``status__exact=QUEUED``)."""

    title = gettext_lazy("status")
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return [(status, status_label(status)) for status in SessionStatus.values]

    def queryset(self, request, queryset):
        if self.value() in SessionStatus.values:
            return queryset.filter(status=self.value())
        return queryset


class AiFilter(admin.SimpleListFilter):
    title = gettext_lazy("AI")
    parameter_name = "ai"

    def lookups(self, request, model_admin):
        return [
            ("active", _("AI active")),
            ("blocked", _("AI blocked")),
            ("bypass", _("AI off for this contact")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "blocked":
            return queryset.filter(ai_blocked_until__gt=now)
        if self.value() == "bypass":
            return queryset.filter(contact__bypass_bots=True)
        if self.value() == "active":
            return (
                queryset.exclude(status__in=[SessionStatus.CLOSED, SessionStatus.PAUSED])
                .exclude(ai_blocked_until__gt=now)
                .exclude(contact__bypass_bots=True)
            )
        return queryset


class CsatFilter(admin.SimpleListFilter):
    """The satisfaction survey's answers (the dashboard's average links here)."""

    title = gettext_lazy("satisfaction")
    parameter_name = "csat"

    def lookups(self, request, model_admin):
        return [("answered", _("With a rating")), *((str(n), f"{n}/5") for n in range(5, 0, -1))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "answered":
            return queryset.filter(csat_rating__isnull=False)
        if value in {"1", "2", "3", "4", "5"}:
            return queryset.filter(csat_rating=int(value))
        return queryset


class _ScopedRelatedFilter(admin.SimpleListFilter):
    """A filter whose choices are only the viewer's organization's rows."""

    model = None
    field = ""

    def choices_queryset(self, request):
        queryset = self.model.objects.all()
        if not request.user.is_superuser:
            queryset = queryset.filter(organization=organization_of(request))
        return queryset

    def lookups(self, request, model_admin):
        choices = [(str(obj.pk), str(obj)) for obj in self.choices_queryset(request)]
        if self.field != "tabulations":
            choices.append(("none", _("Unassigned")))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "none":
            return queryset.filter(**{f"{self.field}__isnull": True})
        try:
            return queryset.filter(**{self.field: value}).distinct()
        except ValidationError:  # a hand-typed bad id lists nothing
            return queryset.none()


class InstanceFilter(_ScopedRelatedFilter):
    title = gettext_lazy("instance")
    parameter_name = "instance"
    model = Instance
    field = "instance"

    def lookups(self, request, model_admin):
        return [(str(obj.pk), obj.name) for obj in self.choices_queryset(request)]


class AgentFilter(_ScopedRelatedFilter):
    title = gettext_lazy("assigned agent")
    parameter_name = "agent"
    model = Agent
    field = "assigned_agent"

    def choices_queryset(self, request):
        return super().choices_queryset(request).select_related("user")


class DepartmentFilter(_ScopedRelatedFilter):
    title = gettext_lazy("department")
    parameter_name = "department"
    model = Department
    field = "assigned_department"

    def choices_queryset(self, request):
        queryset = super().choices_queryset(request)
        department_ids = [] if request.user.is_superuser else department_ids_of(request)
        return queryset.filter(pk__in=department_ids) if department_ids else queryset


class TagFilter(_ScopedRelatedFilter):
    title = gettext_lazy("tag")
    parameter_name = "tag"
    model = Tabulation
    field = "tabulations"


class SessionTabulationInline(OrganizationScopedInline, admin.TabularInline):
    model = SessionTabulation
    extra = 0
    fields = ["tabulation", "added_by", "created_at"]
    readonly_fields = ["added_by", "created_at"]


class ChatSessionAdmin(PhoneSearchMixin, OrganizationScopedAdmin):
    phone_search_field = "contact__phone"
    department_path = "assigned_department"
    list_display = [
        "contact_column",
        "status_column",
        "instance_column",
        "assignment_column",
        "ai_column",
        "tags_column",
        "organization",
    ]
    list_filter = [
        ViewFilter,
        StatusFilter,
        AiFilter,
        InstanceFilter,
        AgentFilter,
        DepartmentFilter,
        TagFilter,
        CsatFilter,
        "organization",
    ]
    search_fields = ["contact__name", "contact__phone", "external_id"]
    list_select_related = [
        "contact",
        "instance",
        "organization",
        "assigned_agent__user",
        "assigned_department",
    ]
    ordering = ["-last_message_at", "-created_at"]
    list_per_page = 50
    readonly_fields = ["concat_seq", "created_at", "updated_at", "started_at", "closed_at"]
    raw_id_fields = ["contact"]
    inlines = [SessionTabulationInline]

    class Media:
        css = {"all": ["atende/console.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("session_tabulations__tabulation")

    @admin.display(description=gettext_lazy("contact"), ordering="contact__name")
    def contact_column(self, session):
        phone = phone_display(session.contact.phone)
        return format_html(
            '<span class="atd-contact"><strong>{}</strong><br><small>{}</small></span>',
            session.contact.name or phone or "—",
            phone,
        )

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_column(self, session):
        return status_badge(session.status)

    @admin.display(description=gettext_lazy("instance"), ordering="instance__name")
    def instance_column(self, session):
        return session.instance.name

    @admin.display(description=gettext_lazy("assigned to"))
    def assignment_column(self, session):
        parts = []
        if session.assigned_agent_id:
            parts.append(str(session.assigned_agent))
        if session.assigned_department_id:
            parts.append(session.assigned_department.name)
        return " · ".join(parts) or "—"

    @admin.display(description=gettext_lazy("AI"))
    def ai_column(self, session):
        return ai_badge(session)

    @admin.display(description=gettext_lazy("tags"))
    def tags_column(self, session):
        chips = [link.tabulation for link in session.session_tabulations.all()]
        if not chips:
            return ""
        return format_html_join("", "{}", ((tag_chip(tag),) for tag in chips))

    def has_add_permission(self, request):
        # Business-initiated sessions are opened through the API
        # (session_create); a bare form would skip its checks and events.
        return False
