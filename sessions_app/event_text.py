"""Timeline event texts, written from each event's ``code`` and ``data``.

A ``SessionEvent`` keeps what happened as data (``code`` plus the parts:
the status it moved to, a tag's name, the minutes of a block, a reason). Its
sentence is rendered from them: in English when the row is stored (the
``text`` column the API returns, an audit record a worker writes with no
reader's language), and in the reader's language where the console shows
it. One function renders both, so a stored text and its translation never
drift apart. The parts inside (a reason an agent typed, a tag's name) are
kept as written; reasons the system itself writes are translated
(``known_phrase``). An event whose code is not listed here, or whose data
lacks a part, is shown as stored.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.admin_scope import console_zone

# Reasons the console itself writes (stored in English, like every event).
TAKEN_OVER_IN_THE_CONSOLE = gettext_noop("Taken over in the console")
BYPASS_ON = gettext_noop("Contact set to bypass bots: the AI will not answer them.")
BYPASS_OFF = gettext_noop("Contact no longer bypasses bots.")
HANDED_OFF_PREFIX = "Handed off by the assistant: "
REFUSED_PREFIX = "refused: "
PAUSED_FOR_PREFIX = "paused for "

# Free texts written by the system (not typed by a person) that may appear
# inside an event: reasons and outcomes.
KNOWN_PHRASES = {
    TAKEN_OVER_IN_THE_CONSOLE: gettext_lazy("Taken over in the console"),
    "An agent replied.": gettext_lazy("An agent replied."),
    "First AI reply.": gettext_lazy("First AI reply."),
    "A message was typed on the business phone.": gettext_lazy(
        "A message was typed on the business phone."
    ),
    "Paused with a message.": gettext_lazy("Paused with a message."),
    "Pause time is over.": gettext_lazy("Pause time is over."),
    "closed": gettext_lazy("closed"),
    "reopened": gettext_lazy("reopened"),
    "bot off for this contact": gettext_lazy("AI off for this contact"),
    "bot on for this contact": gettext_lazy("AI on for this contact"),
}

STARTED_BY = {
    "customer": gettext_lazy("customer"),
    "business": gettext_lazy("business"),
    "agent": gettext_lazy("agent"),
}

STATUS_WORDS = {
    "QUEUED": gettext_lazy("Queued"),
    "ACTIVE": gettext_lazy("Active"),
    "PAUSED": gettext_lazy("Paused"),
    "CLOSED": gettext_lazy("Closed"),
}


def known_phrase(text: str | None) -> str:
    """A reason the system wrote (not one a person typed), in the reader's language."""
    text = (text or "").strip()
    if text.startswith(HANDED_OFF_PREFIX):
        return _("Handed off by the assistant: %(reason)s") % {
            "reason": text.removeprefix(HANDED_OFF_PREFIX)
        }
    if text.startswith(REFUSED_PREFIX):
        return _("refused: %(reason)s") % {"reason": text.removeprefix(REFUSED_PREFIX)}
    if text.startswith(PAUSED_FOR_PREFIX):
        return _("paused for %(duration)s") % {"duration": text.removeprefix(PAUSED_FOR_PREFIX)}
    return str(KNOWN_PHRASES.get(text, text))


def _with_reason(sentence: str, reason: str | None) -> str:
    reason = known_phrase(reason)
    return f"{sentence} {reason}" if reason else sentence


def _local(iso: str, zone) -> str:
    if zone is None:  # the stored form: ISO 8601, UTC
        return iso
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return timezone.localtime(moment, zone).strftime("%d/%m %H:%M")


def _created(data, actor, zone):
    by = str(data["startedBy"]).lower()
    return _("Session opened (%(by)s).") % {"by": STARTED_BY.get(by, by)}


def _status_changed(data, actor, zone):
    before, after, reason = data["from"], data["to"], data.get("reason") or ""
    if after == "CLOSED":
        return _("Session closed: %(reason)s") % {"reason": known_phrase(reason)}
    if after == "PAUSED":
        if data.get("until"):
            sentence = _("Session paused until %(time)s.") % {"time": _local(data["until"], zone)}
        else:
            sentence = _("Session paused.")
        return _with_reason(sentence, reason)
    if after == "ACTIVE" and before == "CLOSED":
        return _("Session reopened.")
    if after == "ACTIVE" and before == "PAUSED":
        return _("Session resumed.")
    if after == "ACTIVE" and data.get("activated"):
        return _("Session is active.")
    # The stored form names the status as the API does (ACTIVE).
    status = after if zone is None else STATUS_WORDS.get(after, after)
    return _("Status changed to %(status)s.") % {"status": status}


def _ai_blocked(data, actor, zone):
    sentence = _("AI blocked for %(minutes)s min.") % {"minutes": data["minutes"]}
    return _with_reason(sentence, data.get("reason"))


def _takeover(data, actor, zone):
    sentence = _("Human takeover: AI blocked for %(minutes)s min.") % {"minutes": data["minutes"]}
    return _with_reason(sentence, data.get("reason"))


def _ai_unblocked(data, actor, zone):
    if data.get("expired", actor == "system"):
        return _("AI block expired.")
    return _("AI unblocked.")


def _assigned(data, actor, zone):
    if data.get("automatic"):
        return _assigned_automatically(data, actor, zone)
    return _("Assigned to %(names)s.") % {"names": " / ".join(data["names"])}


def _assigned_automatically(data, actor, zone):
    return _("Assigned automatically to %(names)s.") % {"names": " / ".join(data["names"])}


def _csat_answered(data, actor, zone):
    sentence = _("Satisfaction rating: %(rating)s/5.") % {"rating": data["rating"]}
    comment = data.get("comment") or ""
    return f"{sentence} {comment}" if comment else sentence


def _tag_added(data, actor, zone):
    return _("Tag added: %(tag)s.") % {"tag": data["tag"]}


def _tag_removed(data, actor, zone):
    return _("Tag removed: %(tag)s.") % {"tag": data["tag"]}


def _bypass_bots(data, actor, zone):
    return _(BYPASS_ON) if data["bypassBots"] else _(BYPASS_OFF)


def _command(data, actor, zone):
    typed = f"@{data['command']} {data.get('args') or ''}".strip()
    return f"{typed} → {known_phrase(data['outcome'])}"


def _assistant_handoff(data, actor, zone):
    return _("The assistant handed the conversation to a person: %(reason)s") % {
        "reason": data["reason"]
    }


def _assistant_reply_refused(data, actor, zone):
    return _("The assistant's reply was not sent: %(reason)s") % {"reason": data["message"]}


def _assistant_tool_ignored(data, actor, zone):
    return _("The assistant's call to %(tool)s was ignored: %(error)s.") % {
        "tool": data["tool"][:60],
        "error": data["error"],
    }


RENDERERS = {
    "created": _created,
    "status_changed": _status_changed,
    "ai_blocked": _ai_blocked,
    "takeover": _takeover,
    "ai_unblocked": _ai_unblocked,
    "assigned": _assigned,
    "csat_answered": _csat_answered,
    "tag_added": _tag_added,
    "tag_removed": _tag_removed,
    "bypass_bots": _bypass_bots,
    "command": _command,
    "assistant_handoff": _assistant_handoff,
    "assistant_reply_refused": _assistant_reply_refused,
    "assistant_tool_ignored": _assistant_tool_ignored,
}


def render_event_text(code: str, data: dict, actor: str = "", zone=None) -> str | None:
    """The event's sentence in the active language, times in ``zone`` (None:
    the stored form, ISO 8601 UTC times and statuses as the API names them);
    None when the code is not known or the data lacks a part (rows stored
    before it carried them)."""
    render = RENDERERS.get(code)
    if render is None:
        return None
    try:
        return render(data or {}, actor, zone)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def stored_event_text(code: str, data: dict, actor: str = "") -> str | None:
    """The English sentence a new row stores (times in UTC, ISO 8601)."""
    with translation.override("en"):
        return render_event_text(code, data, actor)


def event_display_text(event, organization) -> str:
    """The event's sentence in the active language, times in the organization's zone."""
    text = render_event_text(event.code, event.data, event.actor, console_zone(organization))
    return event.text if text is None else text
