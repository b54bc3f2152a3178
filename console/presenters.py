"""What the conversation page shows, computed so templates stay dumb: the
timeline (messages grouped by turn, session events, deliveries) and the
session's state panel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.business_hours import business_hours_effective, business_hours_state
from console.sessions import (
    ai_badge,
    ai_state,
    local_time,
    status_badge,
    tag_chip,
)
from contacts.phones import phone_display
from integrations.models import Delivery
from messaging.api.serializers import MEDIA_TYPE
from messaging.models import (
    MEDIA_KINDS,
    Author,
    Direction,
    DispatchStatus,
    Message,
    Turn,
    TurnStatus,
)
from sessions_app.event_text import (
    event_display_text,
)
from sessions_app.models import ChatSession, SessionEvent

# The newest messages shown; older history stays in the API and message list.
TIMELINE_LIMIT = 300


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


# WhatsApp's failure codes an agent meets, in words (Cloud API error codes).
WHATSAPP_FAILURES = {
    "131047": gettext_lazy(
        "More than 24 hours since the customer last wrote: only a template can reach them now."
    ),
    "131026": gettext_lazy(
        "WhatsApp could not deliver it (the number may not be on WhatsApp, or it blocked us)."
    ),
    "131051": gettext_lazy("WhatsApp does not support this type of message."),
    "131049": gettext_lazy("WhatsApp held it back: too many marketing messages to this customer."),
    "130472": gettext_lazy("WhatsApp held it back: the customer's number is in an experiment."),
}
# The failure a template answers: the 24-hour window had closed.
RE_ENGAGEMENT = "131047"


def failure_view(message: Message) -> dict | None:
    """A failed send explained: WhatsApp's reason in words, and whether a template helps."""
    if message.delivery_status != "FAILED":
        return None
    code = message.delivery_error_code
    if code in WHATSAPP_FAILURES:
        text = str(WHATSAPP_FAILURES[code])
    elif code:
        text = _("WhatsApp refused it: %(code)s %(title)s") % {
            "code": code,
            "title": message.delivery_error_title,
        }
    else:
        text = _("Not sent: %(error)s") % {"error": message.delivery_error or _("unknown error")}
    return {"text": text, "code": code, "offer_template": code == RE_ENGAGEMENT}


def rich_view(message: Message) -> dict | None:
    """A template or native buttons/list as the customer sees them: text, then the options."""
    payload = message.payload or {}
    template = payload.get("template") if message.kind == "template" else None
    if isinstance(template, dict):
        rendered = template.get("rendered") or {}
        return {
            "header": rendered.get("header") or "",
            "footer": rendered.get("footer") or "",
            "options": [b for b in rendered.get("buttons") or [] if b],
            "name": template.get("name", ""),
            "is_list": False,
            "list_button": "",
        }
    interactive = payload.get("interactive") if message.kind == "interactive" else None
    if isinstance(interactive, dict) and not payload.get("fallback"):
        return {
            "header": interactive.get("header") or "",
            "footer": interactive.get("footer") or "",
            "options": [o.get("title", "") for o in interactive.get("options") or []],
            "name": "",
            "is_list": interactive.get("kind") == "list",
            "list_button": interactive.get("button") or "",
        }
    return None


# Turn.dispatch_reason codes in words an agent reads.
DISPATCH_REASONS = {
    "ai_blocked": gettext_lazy("AI blocked"),
    "session_paused": gettext_lazy("session paused"),
    "session_closed": gettext_lazy("session closed"),
    "bypass_bots": gettext_lazy("AI off for this contact"),
    "no_integration": gettext_lazy("no active integration"),
}


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
    reply = (message.payload or {}).get("reply")
    return {
        "obj": message,
        "failure": failure_view(message) if message.direction == Direction.OUTBOUND else None,
        "rich": rich_view(message),
        "reply": reply if isinstance(reply, dict) else None,
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
        "csat_stars": "★" * (session.csat_rating or 0) + "☆" * (5 - (session.csat_rating or 0)),
        "hours": _hours(session),
    }


def _hours(session: ChatSession) -> dict | None:
    """The session's business hours now, when it has any enabled."""
    hours = business_hours_effective(session.organization_id, session.assigned_department_id)
    if hours is None or not hours.enabled:
        return None
    state = business_hours_state(hours, timezone.now())
    return {
        "open": state.open,
        "opens": local_time(state.next_open_at, session.organization, "%d/%m %H:%M"),
    }
