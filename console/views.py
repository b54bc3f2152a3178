"""The agent console's conversation page, its actions, its poll and media.

Views are thin: they find the session through the session admin's scoped
queryset (another organization's or department's session is a 404), call
one service, and report the outcome as a Django message. Every write goes
through sessions_app.services, messaging.outbound.services or contacts.services.
"""

from __future__ import annotations

import hashlib
import mimetypes
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.admin_scope import agent_of, department_ids_of, scope_queryset
from accounts.models import Agent, Department
from canned.selectors import canned_for_agent
from canned.variables import fill_variables, variable_values
from console.actions import ACTIONS, actor_for
from console.presenters import state_context, timeline_context
from console.template_picker import template_picker_context
from contacts.models import Tabulation
from contacts.phones import phone_display
from core.errors import DomainError, ValidationError
from messaging.media.files import stored_media_response
from messaging.models import (
    Author,
    Message,
    kind_for_mimetype,
)
from messaging.outbound.services import MAX_MEDIA_BYTES, OutgoingMedia, message_create_outbound
from sessions_app.models import ChatSession, SessionStatus

POLL_INTERVAL_SECONDS = 4
# The reply box's / list: more than an agent scrolls through.
CANNED_LIMIT = 200


def render_fragments(request, session: ChatSession) -> tuple[str, str, str]:
    timeline_html = render_to_string(
        "admin/console/conversation_timeline.html", timeline_context(session), request=request
    )
    state_html = render_to_string(
        "admin/console/conversation_state.html", state_context(session), request=request
    )
    version = hashlib.sha256((timeline_html + state_html).encode()).hexdigest()[:16]
    return timeline_html, state_html, version


def mark_seen(session: ChatSession) -> None:
    # Only a read marker: no event, no services involved, so a bare update
    # that does not race with the session's other fields. updated_at moves
    # too: the unread counts changed, and the live session list follows it.
    now = timezone.now()
    ChatSession.objects.filter(pk=session.pk).update(agent_last_seen_at=now, updated_at=now)
    session.agent_last_seen_at = now


def _session_for(model_admin, request, session_id, *, change: bool = False) -> ChatSession:
    session = model_admin.get_visible_object(request, session_id)
    if not model_admin.has_view_permission(request, session):
        raise PermissionDenied
    if change and not model_admin.has_change_permission(request, session):
        raise PermissionDenied
    return session


def _choices(request, session: ChatSession) -> dict:
    organization = session.organization
    current_tags = set(session.session_tabulations.values_list("tabulation_id", flat=True))
    return {
        "agents": Agent.objects.filter(organization=organization, is_active=True).select_related(
            "user"
        ),
        "departments": Department.objects.filter(organization=organization, is_active=True),
        "available_tags": Tabulation.objects.filter(
            organization=organization, is_active=True
        ).exclude(pk__in=current_tags),
    }


@require_GET
def conversation(request, model_admin, session_id):
    session = _session_for(model_admin, request, session_id)
    mark_seen(session)
    timeline_html, state_html, version = render_fragments(request, session)
    context = {
        **model_admin.admin_site.each_context(request),
        **state_context(session),
        **_choices(request, session),
        "opts": model_admin.model._meta,
        "title": _("Session with %(contact)s") % {"contact": session.contact},
        "contact_phone": phone_display(session.contact.phone),
        "subtitle": None,
        "contact": session.contact,
        "timeline_html": timeline_html,
        "state_html": state_html,
        "version": version,
        "can_change": model_admin.has_change_permission(request, session),
        "me": agent_of(request),
        "takeover_minutes": session.instance.takeover_minutes,
        "reply_key": uuid.uuid4().hex,
        "poll_url": reverse("admin:sessions_app_chatsession_poll", args=[session.pk]),
        "poll_seconds": POLL_INTERVAL_SECONDS,
        "canned_url": reverse("admin:sessions_app_chatsession_canned", args=[session.pk]),
        "other_sessions": scope_queryset(
            request,
            ChatSession.objects.filter(contact=session.contact),
            organization_path="organization",
            department_path="assigned_department",
        )
        .exclude(pk=session.pk)
        .select_related("instance")
        .order_by("-created_at")[:10],
        "is_closed": session.status == SessionStatus.CLOSED,
        **template_picker_context(session),
    }
    return TemplateResponse(request, "admin/console/conversation.html", context)


@require_GET
def conversation_poll(request, model_admin, session_id):
    session = _session_for(model_admin, request, session_id)
    timeline_html, state_html, version = render_fragments(request, session)
    if request.GET.get("version") == version:
        return JsonResponse({"version": version, "changed": False})
    mark_seen(session)
    return JsonResponse(
        {"version": version, "changed": True, "timeline": timeline_html, "state": state_html}
    )


@require_GET
def conversation_canned(request, model_admin, session_id):
    """The canned responses this agent may use, filled in for this session
    (the reply box's / list inserts ``text`` for the agent to edit)."""
    session = _session_for(model_admin, request, session_id, change=True)
    me = agent_of(request)
    values = variable_values(
        session=session,
        agent_name=me.name if me else (request.user.get_full_name() or request.user.username),
    )
    department_ids = [] if request.user.is_superuser else department_ids_of(request)
    responses = canned_for_agent(organization=session.organization, department_ids=department_ids)
    return JsonResponse(
        {
            "responses": [
                {"shortCode": canned.short_code, "text": fill_variables(canned.content, values)}
                for canned in responses[:CANNED_LIMIT]
            ]
        }
    )


def message_media(request, model_admin, message_id):
    """A message's stored media, only for users who may see its session."""
    queryset = scope_queryset(
        request,
        Message.objects.all(),
        organization_path="organization",
        department_path="session__assigned_department",
    )
    message = queryset.filter(pk=message_id).first()
    if message is None or not message.media_file:
        raise Http404("Not found.")
    if not model_admin.has_view_permission(request, message.session):
        raise PermissionDenied
    return stored_media_response(message)


def _conversation_url(session) -> str:
    return reverse("admin:sessions_app_chatsession_conversation", args=[session.pk])


@require_POST
def conversation_action(request, model_admin, session_id, action):
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404(_("Unknown action."))
    session = _session_for(model_admin, request, session_id, change=True)
    try:
        message = handler(request, session, request.POST)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect(_conversation_url(session))


@require_POST
def conversation_reply(request, model_admin, session_id):
    session = _session_for(model_admin, request, session_id, change=True)
    text = (request.POST.get("text") or "").strip()
    upload = request.FILES.get("attachment")
    key = (request.POST.get("reply_key") or "").strip()
    try:
        media = None
        if upload is not None:
            if upload.size > MAX_MEDIA_BYTES:
                raise ValidationError(_("The attachment is larger than WhatsApp accepts (100 MB)."))
            mimetype = (
                upload.content_type
                or mimetypes.guess_type(upload.name)[0]
                or "application/octet-stream"
            )
            media = OutgoingMedia(
                kind=kind_for_mimetype(mimetype),
                data=upload.read(),
                mimetype=mimetype,
                filename=upload.name,
            )
        if not text and media is None:
            raise ValidationError(_("Write a message or attach a file."))
        _message, created = message_create_outbound(
            session=session,
            author=Author.AGENT,
            actor=actor_for(request),
            text=text,
            media=media,
            # A double-click or a resubmitted form sends once.
            idempotency_key=f"console:{key}" if key else None,
            user=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Message sent.") if created else _("That message was already sent.")
        )
    return redirect(_conversation_url(session))
