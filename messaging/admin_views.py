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
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.admin_scope import agent_of, scope_queryset
from accounts.models import Agent, Department
from contacts.models import Tabulation
from contacts.phones import phone_display
from contacts.services import contact_update
from core.errors import DomainError, ValidationError
from integrations.models import Delivery
from messaging.api.serializers import MEDIA_TYPE
from messaging.media.files import stored_media_response
from messaging.models import (
    MEDIA_KINDS,
    Author,
    Direction,
    DispatchStatus,
    Message,
    Turn,
    TurnStatus,
    kind_for_mimetype,
)
from messaging.outbound.services import MAX_MEDIA_BYTES, OutgoingMedia, message_create_outbound
from sessions_app.admin import (
    ai_badge,
    ai_state,
    local_time,
    status_badge,
    tag_chip,
)
from sessions_app.event_text import (
    BYPASS_OFF,
    BYPASS_ON,
    TAKEN_OVER_IN_THE_CONSOLE,
    event_display_text,
)
from sessions_app.models import ChatSession, SessionEvent, SessionStatus
from sessions_app.services import (
    session_assign,
    session_block_ai,
    session_change_status,
    session_close,
    session_event_record,
    session_pause,
    session_reopen,
    session_resume,
    session_tabulations_add,
    session_tabulations_remove,
    session_unblock_ai,
)

# The newest messages shown; older history stays in the API and message list.
TIMELINE_LIMIT = 300
POLL_INTERVAL_SECONDS = 4

AUTHOR_LABELS = {
    Author.AGENT: gettext_lazy("Agent"),
    Author.AI: gettext_lazy("AI"),
    Author.BUSINESS: gettext_lazy("Business phone"),
    Author.AGENT_PLATFORM: gettext_lazy("Agent platform"),
    Author.SYSTEM: gettext_lazy("System"),
}
# Delivery status -> (symbol, state used as CSS class and data-status).
TICKS = {
    "PENDING": ("🕓", "pending"),
    "SENT": ("✓", "sent"),
    "DELIVERED": ("✓✓", "delivered"),
    "READ": ("✓✓", "read"),
    "FAILED": ("!", "failed"),
}
TICK_TITLES = {
    "pending": gettext_lazy("pending"),
    "sent": gettext_lazy("sent"),
    "delivered": gettext_lazy("delivered"),
    "read": gettext_lazy("read"),
    "failed": gettext_lazy("failed"),
    "unknown": gettext_lazy("unknown"),
}
# Turn.dispatch_reason codes in words an agent reads.
DISPATCH_REASONS = {
    "ai_blocked": gettext_lazy("AI blocked"),
    "session_paused": gettext_lazy("session paused"),
    "session_closed": gettext_lazy("session closed"),
    "bypass_bots": gettext_lazy("AI off for this contact"),
    "no_integration": gettext_lazy("no active integration"),
}
# Types a browser may render inline without running anything of ours.


def actor_for(request) -> str:
    return f"agent:{request.user.username}"


# --- timeline -----------------------------------------------------------------


@dataclass
class TurnGroup:
    turn: Turn
    messages: list = field(default_factory=list)
    decision: str = ""
    decision_state: str = ""


@dataclass
class Entry:
    kind: str  # "message" | "turn" | "event"
    at: object
    message: Message | None = None
    group: TurnGroup | None = None
    event: SessionEvent | None = None


def media_url(message: Message) -> str:
    if not message.media_file:
        return ""
    return reverse("admin:messaging_message_media", args=[message.pk])


def turn_decision(turn: Turn, deliveries: list[Delivery]) -> tuple[str, str]:
    """What happened to a turn, as (text, state) for the line under it."""
    if turn.status == TurnStatus.OPEN:
        return _("collecting messages…"), "pending"
    if turn.dispatch_status == DispatchStatus.DISPATCHED or deliveries:
        parts = []
        for delivery in deliveries:
            outcome = {"SUCCEEDED": _("delivered"), "FAILED": _("failed")}.get(
                delivery.status, _("pending")
            )
            parts.append(
                _("sent to %(integration)s (%(outcome)s)")
                % {"integration": delivery.integration.name, "outcome": outcome}
            )
        return ("; ".join(parts) or _("sent")), "sent"
    if turn.dispatch_status == DispatchStatus.NO_INTEGRATION:
        return _("not sent: %(reason)s") % {"reason": DISPATCH_REASONS["no_integration"]}, "skipped"
    if turn.dispatch_status == DispatchStatus.SKIPPED:
        reason = DISPATCH_REASONS.get(turn.dispatch_reason, turn.dispatch_reason or _("skipped"))
        return _("not sent: %(reason)s") % {"reason": reason}, "skipped"
    return _("waiting to be sent"), "pending"


def timeline(session: ChatSession) -> tuple[list[Entry], bool]:
    """Messages and SYSTEM events in time order; a turn's messages grouped.

    Returns (entries, truncated). A turn's messages are shown together at the
    place of its first message, so an event that happened mid-burst never
    splits the group.
    """
    recent = list(
        Message.objects.filter(session=session)
        .select_related("sent_by_user")
        .order_by("-created_at")[: TIMELINE_LIMIT + 1]
    )
    truncated = len(recent) > TIMELINE_LIMIT
    recent = list(reversed(recent[:TIMELINE_LIMIT]))
    since = recent[0].created_at if truncated and recent else None

    turn_ids = {m.turn_id for m in recent if m.turn_id}
    turns = {t.pk: t for t in Turn.objects.filter(pk__in=turn_ids)}
    deliveries: dict = {}
    for delivery in (
        Delivery.objects.filter(turn_id__in=turn_ids)
        .select_related("integration")
        .order_by("created_at")
    ):
        deliveries.setdefault(delivery.turn_id, []).append(delivery)

    entries: list[Entry] = []
    groups: dict = {}
    for message in recent:
        turn = turns.get(message.turn_id)
        if turn is None:
            entries.append(Entry("message", message.created_at, message=message))
            continue
        group = groups.get(turn.pk)
        if group is None:
            group = groups[turn.pk] = TurnGroup(turn=turn)
            group.decision, group.decision_state = turn_decision(turn, deliveries.get(turn.pk, []))
            entries.append(Entry("turn", message.created_at, group=group))
        group.messages.append(message)

    events = SessionEvent.objects.filter(session=session)
    if since is not None:
        events = events.filter(created_at__gte=since)
    entries.extend(Entry("event", event.created_at, event=event) for event in events)
    # Stable sort: a message and an event with the same timestamp keep
    # messages first, as they were written first.
    entries.sort(key=lambda entry: entry.at)
    return entries, truncated


def message_view(message: Message, session: ChatSession) -> dict:
    """Everything a bubble shows, precomputed so templates stay dumb."""
    if message.author == Author.CUSTOMER:
        label = session.contact.name or phone_display(session.contact.phone) or _("Customer")
    elif message.author == Author.AGENT and message.sent_by_user_id:
        label = _("Agent · %(username)s") % {"username": message.sent_by_user.get_username()}
    else:
        label = AUTHOR_LABELS.get(message.author, message.author.title())
    tick = None
    if message.direction == Direction.OUTBOUND:
        if not message.send_external:
            tick = {"symbol": "•", "state": "recorded", "title": _("recorded only, not sent")}
        else:
            symbol, state = TICKS.get(message.delivery_status, ("?", "unknown"))
            title = TICK_TITLES[state]
            if state == "failed" and message.delivery_error:
                title = _("failed: %(error)s") % {"error": message.delivery_error}
            tick = {"symbol": symbol, "state": state, "title": title}
    mimetype = message.media_mimetype or ""
    return {
        "obj": message,
        "side": "in" if message.direction == Direction.INBOUND else "out",
        "author_class": message.author.lower().replace("_", "-"),
        "label": label,
        "time": local_time(message.created_at, session.organization, "%d/%m %H:%M"),
        "is_media": message.kind in MEDIA_KINDS,
        "media_url": media_url(message),
        "media_kind": MEDIA_TYPE.get(message.kind, "document"),
        "mimetype": mimetype,
        "filename": message.media_filename or message.kind,
        "tick": tick,
        "deleted_title": (
            _("Deleted by %(who)s at %(when)s")
            % {
                "who": AUTHOR_LABELS.get(message.deleted_by, message.deleted_by.title()),
                "when": local_time(message.deleted_at, session.organization, "%d/%m %H:%M"),
            }
            if message.deleted_at
            else ""
        ),
    }


def timeline_context(session: ChatSession) -> dict:
    entries, truncated = timeline(session)
    rows = []
    for entry in entries:
        if entry.kind == "message":
            rows.append({"kind": "message", "m": message_view(entry.message, session)})
        elif entry.kind == "turn":
            rows.append(
                {
                    "kind": "turn",
                    "group": entry.group,
                    "messages": [message_view(m, session) for m in entry.group.messages],
                    # What the AI received quoted words since deleted: not for agents' eyes.
                    "hides_turn_text": any(m.deleted_at for m in entry.group.messages),
                }
            )
        else:
            rows.append(
                {
                    "kind": "event",
                    "event": entry.event,
                    "text": event_display_text(entry.event, session.organization),
                    "time": local_time(entry.event.created_at, session.organization, "%d/%m %H:%M"),
                }
            )
    return {"rows": rows, "truncated": truncated, "limit": TIMELINE_LIMIT, "session": session}


def state_context(session: ChatSession) -> dict:
    tags = [link.tabulation for link in session.session_tabulations.select_related("tabulation")]
    return {
        "session": session,
        "status_badge": status_badge(session.status),
        "ai_badge": ai_badge(session),
        "ai_is_blocked": ai_state(session)[0] == "blocked",
        "tags": [{"obj": tag, "chip": tag_chip(tag)} for tag in tags],
        "blocked_until": local_time(session.ai_blocked_until, session.organization, "%d/%m %H:%M"),
        "paused_until": local_time(session.paused_until, session.organization, "%d/%m %H:%M"),
    }


def render_fragments(request, session: ChatSession) -> tuple[str, str, str]:
    timeline_html = render_to_string(
        "admin/messaging/conversation_timeline.html", timeline_context(session), request=request
    )
    state_html = render_to_string(
        "admin/messaging/conversation_state.html", state_context(session), request=request
    )
    version = hashlib.sha256((timeline_html + state_html).encode()).hexdigest()[:16]
    return timeline_html, state_html, version


def mark_seen(session: ChatSession) -> None:
    # Only a read marker: no event, no services involved, so a bare update
    # that does not race with the session's other fields.
    now = timezone.now()
    ChatSession.objects.filter(pk=session.pk).update(agent_last_seen_at=now)
    session.agent_last_seen_at = now


# --- pages --------------------------------------------------------------------


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
    }
    return TemplateResponse(request, "admin/messaging/conversation.html", context)


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


# --- actions ------------------------------------------------------------------


MAX_MINUTES = 525_600


def _minutes(value, *, default: int | None = None) -> int | None:
    value = (value or "").strip()
    if not value:
        return default
    try:
        minutes = int(value)
    except ValueError:
        raise ValidationError(_("Minutes must be a whole number.")) from None
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValidationError(
            _("Minutes must be between 1 and %(max)s (a year).") % {"max": MAX_MINUTES}
        )
    return minutes


def _scoped(model, session: ChatSession, pk: str, unknown: str):
    """A row of the session's organization by id; anything else is ``unknown``."""
    try:
        return model.objects.get(organization=session.organization, pk=pk)
    except (model.DoesNotExist, ValueError, DjangoValidationError):
        raise ValidationError(unknown) from None


def _act_take_over(request, session, data):
    minutes = _minutes(data.get("minutes"), default=session.instance.takeover_minutes)
    # The default reason is stored in English (like every timeline text) and
    # translated where it is shown (sessions_app.event_text).
    reason = (data.get("reason") or "").strip() or TAKEN_OVER_IN_THE_CONSOLE
    session_block_ai(session=session, minutes=minutes, actor=actor_for(request), reason=reason)
    return ngettext(
        "You took over: the AI is blocked for %(minutes)s minute.",
        "You took over: the AI is blocked for %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def _act_give_back(request, session, data):
    session_unblock_ai(session=session, actor=actor_for(request))
    return _("The AI is back in charge of this conversation.")


def _act_accept(request, session, data):
    session_change_status(session=session, status=SessionStatus.ACTIVE, actor=actor_for(request))
    return _("Session is active.")


def _act_pause(request, session, data):
    minutes = _minutes(data.get("minutes"))
    paused_until = timezone.now() + timedelta(minutes=minutes) if minutes else None
    session_pause(
        session=session,
        actor=actor_for(request),
        paused_until=paused_until,
        reason=(data.get("reason") or "").strip(),
    )
    if minutes:
        return ngettext(
            "Session paused for %(minutes)s minute.",
            "Session paused for %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
    return _("Session paused.")


def _act_resume(request, session, data):
    session_resume(session=session, actor=actor_for(request))
    return _("Session resumed.")


def _act_close(request, session, data):
    session_close(
        session=session, end_reason=(data.get("end_reason") or "").strip(), actor=actor_for(request)
    )
    return _("Session closed.")


def _act_reopen(request, session, data):
    session_reopen(session=session, actor=actor_for(request))
    return _("Session reopened.")


def _act_assign(request, session, data):
    target = data.get("target") or ""
    if target == "me":
        agent = agent_of(request)
        if agent is None:
            raise ValidationError(_("You are not an agent of this organization."))
        session_assign(
            session=session,
            actor=actor_for(request),
            agent=agent,
            department=session.assigned_department,
        )
        return _("Assigned to you.")
    kind, _colon, pk = target.partition(":")
    if kind == "agent":
        agent = _scoped(Agent, session, pk, _("Unknown agent."))
        session_assign(
            session=session,
            actor=actor_for(request),
            agent=agent,
            department=session.assigned_department,
        )
        return _("Assigned to %(agent)s.") % {"agent": agent}
    if kind == "department":
        department = _scoped(Department, session, pk, _("Unknown department."))
        session_assign(session=session, actor=actor_for(request), department=department)
        return _("Assigned to the %(department)s department.") % {"department": department.name}
    raise ValidationError(_("Choose whom to assign the session to."))


def _act_tag_add(request, session, data):
    tag = _scoped(Tabulation, session, data.get("tabulation", ""), _("Unknown tag."))
    session_tabulations_add(
        session=session, tabulations=[tag], actor=actor_for(request), user=request.user
    )
    return _("Tag %(tag)s added.") % {"tag": tag.name}


def _act_tag_remove(request, session, data):
    tag = _scoped(Tabulation, session, data.get("tabulation", ""), _("Unknown tag."))
    session_tabulations_remove(session=session, tabulations=[tag], actor=actor_for(request))
    return _("Tag %(tag)s removed.") % {"tag": tag.name}


def _act_bypass(request, session, data):

    contact = session.contact
    value = data.get("bypass_bots") == "on"
    contact_update(contact=contact, bypass_bots=value)
    # The timeline keeps English (see sessions_app.event_text); the agent
    # reads the outcome in their language.
    text = BYPASS_ON if value else BYPASS_OFF
    # contacts sits below sessions: the console writes the timeline entry.
    session_event_record(
        session=session,
        code="bypass_bots",
        text=text,
        actor=actor_for(request),
        data={"bypassBots": value},
    )
    return _(text)


ACTIONS = {
    "take-over": _act_take_over,
    "give-back": _act_give_back,
    "accept": _act_accept,
    "pause": _act_pause,
    "resume": _act_resume,
    "close": _act_close,
    "reopen": _act_reopen,
    "assign": _act_assign,
    "tag-add": _act_tag_add,
    "tag-remove": _act_tag_remove,
    "bypass": _act_bypass,
}


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
