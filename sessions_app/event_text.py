"""Timeline event texts in the reader's language.

``SessionEvent.text`` is stored in English, as written by the services when
the event happened: it is an audit record, the API returns it, and a worker
has no reader's language to write it in. The console translates it when it
shows it: each known sentence is matched here (old rows included) and
rebuilt from a catalogue entry; the parts inside (a reason typed by an
agent, a tag's name) are kept as written. A sentence not listed here is
shown as stored, so a new event text is never lost, only untranslated until
it is added.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.admin_scope import console_zone

# Texts the console itself stores (English, like every event text).
TAKEN_OVER_IN_THE_CONSOLE = gettext_noop("Taken over in the console")
BYPASS_ON = gettext_noop("Contact set to bypass bots: the AI will not answer them.")
BYPASS_OFF = gettext_noop("Contact no longer bypasses bots.")

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

_REASON = r"(?: (?P<reason>.+))?"
# (pattern, builder(match, zone) -> str), first match wins.
_PATTERNS: list[tuple[re.Pattern, object]] = []


def _pattern(regex: str):
    def register(builder):
        _PATTERNS.append((re.compile(rf"^{regex}$", re.DOTALL), builder))
        return builder

    return register


def known_phrase(text: str | None) -> str:
    """A reason the system wrote (not one a person typed), in the reader's language."""
    return _phrase(text)


def _phrase(text: str | None) -> str:
    text = (text or "").strip()
    return str(KNOWN_PHRASES.get(text, text))


def _with_reason(sentence: str, reason: str | None) -> str:
    reason = _phrase(reason)
    return f"{sentence} {reason}" if reason else sentence


def _local(iso: str, zone) -> str:
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return timezone.localtime(moment, zone).strftime("%d/%m %H:%M")


@_pattern(r"Session opened \((?P<by>[\w ]+)\)\.")
def _opened(m, zone):
    by = STARTED_BY.get(m["by"], m["by"])
    return _("Session opened (%(by)s).") % {"by": by}


@_pattern(r"Status changed to (?P<status>[A-Z]+)\.")
def _status(m, zone):
    status = STATUS_WORDS.get(m["status"], m["status"])
    return _("Status changed to %(status)s.") % {"status": status}


@_pattern(r"Session is active\.")
def _active(m, zone):
    return _("Session is active.")


@_pattern(r"Session closed: (?P<reason>.*)")
def _closed(m, zone):
    return _("Session closed: %(reason)s") % {"reason": _phrase(m["reason"])}


@_pattern(r"Session reopened\.")
def _reopened(m, zone):
    return _("Session reopened.")


@_pattern(r"Session paused(?: until (?P<until>\S+Z))?\." + _REASON)
def _paused(m, zone):
    if m["until"]:
        sentence = _("Session paused until %(time)s.") % {"time": _local(m["until"], zone)}
    else:
        sentence = _("Session paused.")
    return _with_reason(sentence, m["reason"])


@_pattern(r"Session resumed\.")
def _resumed(m, zone):
    return _("Session resumed.")


@_pattern(r"Assigned automatically to (?P<agent>.+)\.")
def _assigned_automatically(m, zone):
    return _("Assigned automatically to %(agent)s.") % {"agent": m["agent"]}


@_pattern(r"Assigned to (?P<names>.+)\.")
def _assigned(m, zone):
    return _("Assigned to %(names)s.") % {"names": m["names"]}


@_pattern(r"Tag added: (?P<tag>.+)\.")
def _tag_added(m, zone):
    return _("Tag added: %(tag)s.") % {"tag": m["tag"]}


@_pattern(r"Tag removed: (?P<tag>.+)\.")
def _tag_removed(m, zone):
    return _("Tag removed: %(tag)s.") % {"tag": m["tag"]}


@_pattern(r"AI blocked for (?P<minutes>\d+) min\." + _REASON)
def _blocked(m, zone):
    sentence = _("AI blocked for %(minutes)s min.") % {"minutes": m["minutes"]}
    return _with_reason(sentence, m["reason"])


@_pattern(r"Human takeover: AI blocked for (?P<minutes>\d+) min\." + _REASON)
def _takeover(m, zone):
    sentence = _("Taken over: AI blocked for %(minutes)s min.") % {"minutes": m["minutes"]}
    return _with_reason(sentence, m["reason"])


@_pattern(r"AI unblocked\.")
def _unblocked(m, zone):
    return _("AI unblocked: back in charge.")


@_pattern(r"AI block expired\.")
def _expired(m, zone):
    return _("AI block expired: back in charge.")


@_pattern(re.escape(BYPASS_ON))
def _bypass_on(m, zone):
    return _(BYPASS_ON)


@_pattern(re.escape(BYPASS_OFF))
def _bypass_off(m, zone):
    return _(BYPASS_OFF)


@_pattern(r"(?P<command>@\S+(?: .*?)?) → (?P<outcome>.+)")
def _command(m, zone):
    outcome = m["outcome"]
    if outcome.startswith("refused: "):
        outcome = _("refused: %(reason)s") % {"reason": outcome.removeprefix("refused: ")}
    elif outcome.startswith("paused for "):
        outcome = _("paused for %(duration)s") % {"duration": outcome.removeprefix("paused for ")}
    else:
        outcome = _phrase(outcome)
    return f"{m['command']} → {outcome}"


def event_display_text(event, organization) -> str:
    """``event.text`` in the active language, times in the organization's zone."""
    zone = console_zone(organization)
    for pattern, builder in _PATTERNS:
        match = pattern.match(event.text)
        if match:
            return builder(match, zone)
    return event.text
