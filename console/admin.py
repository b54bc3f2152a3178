"""The agents' console: the session list with message columns and the
conversation page, the contact page with its sessions, the message list.

Registered here, above messaging, because each reads across apps
(sessions with their messages, contacts with their sessions).
"""

from datetime import UTC, datetime

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin_scope import OrganizationScopedAdmin, scope_queryset
from console import inbox, views
from console.privacy import ContactPrivacyMixin
from console.sessions import ChatSessionAdmin, local_time, status_badge
from contacts.admin import ContactAdmin
from contacts.models import Contact
from messaging.models import Author, Message
from sessions_app.models import ChatSession

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


admin.site.site_header = "Atende"
# No public site behind the console: Django's "View site" link would lead
# to a 404.
admin.site.site_url = None


admin.site.site_title = gettext_lazy("Atende console")


admin.site.index_title = gettext_lazy("Console")


class UnreadFilter(admin.SimpleListFilter):
    title = gettext_lazy("unread")
    parameter_name = "unread"

    def lookups(self, request, model_admin):
        return [("yes", _("With unread messages"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(unread_count__gt=0)
        return queryset


class ConversationChangeList(ChangeList):
    def url_for_result(self, result):
        return reverse("admin:sessions_app_chatsession_conversation", args=[result.pk])


class ConsoleSessionAdmin(ChatSessionAdmin):
    """The session list with message columns, plus the conversation page.

    Registered here rather than in sessions_app because it reads messages:
    messaging sits above sessions_app.
    """

    list_display = [
        "contact_column",
        "status_column",
        "instance_column",
        "assignment_column",
        "ai_column",
        "last_message_column",
        "unread_column",
        "tags_column",
        "organization",
    ]
    list_filter = [
        *ChatSessionAdmin.list_filter[:3],
        UnreadFilter,
        *ChatSessionAdmin.list_filter[3:],
    ]

    def get_queryset(self, request):
        latest = Message.objects.filter(session=OuterRef("pk")).order_by("-created_at")
        unread = (
            Message.objects.filter(
                session=OuterRef("pk"),
                author=Author.CUSTOMER,
                created_at__gt=Coalesce(OuterRef("agent_last_seen_at"), Value(_EPOCH)),
            )
            .order_by()
            .values("session")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_message_text=Subquery(latest.values("text")[:1]),
                last_message_kind=Subquery(latest.values("kind")[:1]),
                last_message_author=Subquery(latest.values("author")[:1]),
                last_message_deleted_at=Subquery(latest.values("deleted_at")[:1]),
                unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            )
        )

    class Media:
        css = {"all": ["atende/console.css"]}
        js = ["atende/console.js"]

    def get_changelist(self, request, **kwargs):
        return ConversationChangeList

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "title": _("Sessions"),
            "inbox": {
                **inbox.inbox_state(request),
                "url": reverse("admin:sessions_app_chatsession_changes"),
                "seconds": inbox.POLL_SECONDS,
            },
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("last message"), ordering="last_message_at")
    def last_message_column(self, session):
        if session.last_message_kind is None:
            return "—"
        text = session.last_message_text or f"[{session.last_message_kind}]"
        if session.last_message_deleted_at is not None:
            text = f"[{_('deleted')}]"
        if len(text) > 60:
            text = text[:57] + "…"
        prefix = "" if session.last_message_author == Author.CUSTOMER else "↪ "
        when = local_time(session.last_message_at, session.organization, "%d/%m %H:%M")
        return format_html(
            '<span class="atd-preview">{}{}</span><br><small class="atd-when">{}</small>',
            prefix,
            text,
            when,
        )

    @admin.display(description=gettext_lazy("unread"), ordering="unread_count")
    def unread_column(self, session):
        if not session.unread_count:
            return ""
        return format_html('<span class="atd-unread">{}</span>', session.unread_count)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "changes/",
                wrap(self.session_list_changes_view),
                name="sessions_app_chatsession_changes",
            ),
            path(
                "<uuid:session_id>/conversation/",
                wrap(self.conversation_view),
                name="sessions_app_chatsession_conversation",
            ),
            path(
                "<uuid:session_id>/conversation/poll/",
                wrap(self.conversation_poll_view),
                name="sessions_app_chatsession_poll",
            ),
            path(
                "<uuid:session_id>/conversation/canned/",
                wrap(self.conversation_canned_view),
                name="sessions_app_chatsession_canned",
            ),
            path(
                "<uuid:session_id>/conversation/reply/",
                wrap(self.conversation_reply_view),
                name="sessions_app_chatsession_reply",
            ),
            path(
                "<uuid:session_id>/conversation/<slug:action>/",
                wrap(self.conversation_action_view),
                name="sessions_app_chatsession_action",
            ),
            *super().get_urls(),
        ]

    def session_list_changes_view(self, request):
        return inbox.session_list_changes(request, self)

    def conversation_view(self, request, session_id):
        return views.conversation(request, self, session_id)

    def conversation_poll_view(self, request, session_id):
        return views.conversation_poll(request, self, session_id)

    def conversation_canned_view(self, request, session_id):
        return views.conversation_canned(request, self, session_id)

    def conversation_reply_view(self, request, session_id):
        return views.conversation_reply(request, self, session_id)

    def conversation_action_view(self, request, session_id, action):
        return views.conversation_action(request, self, session_id, action)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The conversation is the session's page; the raw form stays for
        # superusers (?raw=1) to repair data by hand.
        session = self.get_visible_object(request, object_id)
        if request.user.is_superuser and request.GET.get("raw"):
            return super().change_view(request, object_id, form_url, extra_context)
        return HttpResponseRedirect(
            reverse("admin:sessions_app_chatsession_conversation", args=[session.pk])
        )


admin.site.register(ChatSession, ConsoleSessionAdmin)


class ContactSessionInline(admin.TabularInline):
    """The contact's sessions, each linking to its conversation (read-only)."""

    model = ChatSession
    fk_name = "contact"
    extra = 0
    can_delete = False
    show_change_link = False
    fields = ["conversation", "status_column", "instance", "assigned_agent", "last_message_at"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return scope_queryset(
            request,
            super()
            .get_queryset(request)
            .select_related("instance", "assigned_agent__user", "organization"),
            organization_path="organization",
            department_path="assigned_department",
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("sessions_app.view_chatsession")

    @admin.display(description=gettext_lazy("session"))
    def conversation(self, session):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:sessions_app_chatsession_conversation", args=[session.pk]),
            # In the organization's time zone, as everywhere in the console.
            local_time(session.started_at, session.organization, "%d/%m/%Y %H:%M"),
        )

    @admin.display(description=gettext_lazy("status"))
    def status_column(self, session):
        return status_badge(session.status)


# contacts sits below sessions_app: the contact page gets its sessions here.
admin.site.unregister(Contact)


@admin.register(Contact)
class ConsoleContactAdmin(ContactPrivacyMixin, ContactAdmin):
    inlines = [*ContactAdmin.inlines, ContactSessionInline]


@admin.register(Message)
class MessageAdmin(OrganizationScopedAdmin):
    department_path = "session__assigned_department"
    list_display = [
        "created_at",
        "direction",
        "author",
        "kind",
        "text_column",
        "delivery_status",
        "transcription_status",
    ]
    list_filter = [
        "direction",
        "author",
        "kind",
        "delivery_status",
        "transcription_status",
        ("edited_at", admin.EmptyFieldListFilter),
        ("deleted_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["text", "transcription", "provider_message_id", "external_id"]
    raw_id_fields = ["session", "contact", "turn"]
    list_select_related = ["session"]
    exclude = ["raw_payload", "media_ref"]

    # What a message its sender deleted said stays out of agents' sight.
    DELETED_HIDES = ("text", "edit_history", "transcription", "payload", "media_file")

    @admin.display(description=gettext_lazy("text"))
    def text_column(self, message):
        return f"[{_('deleted')}]" if message.deleted_at else message.text

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if obj is not None and obj.deleted_at is not None:
            exclude += self.DELETED_HIDES
        return exclude

    def get_urls(self):
        return [
            path(
                "<uuid:message_id>/media/",
                self.admin_site.admin_view(self.media_view),
                name="messaging_message_media",
            ),
            *super().get_urls(),
        ]

    def media_view(self, request, message_id):
        session_admin = self.admin_site._registry[ChatSession]
        return views.message_media(request, session_admin, message_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
