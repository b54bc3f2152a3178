"""The conversation page's buttons: each reads its form fields, calls one
service and reports the outcome as a Django message.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.admin_scope import agent_of
from accounts.models import Agent, Department
from console.template_picker import template_send
from contacts.models import Tabulation
from contacts.services import contact_update
from core.errors import ValidationError
from sessions_app.event_text import (
    BYPASS_OFF,
    BYPASS_ON,
    TAKEN_OVER_IN_THE_CONSOLE,
)
from sessions_app.models import ChatSession, SessionStatus
from sessions_app.services.ai_block import session_block_ai, session_unblock_ai
from sessions_app.services.assignment import (
    session_assign,
    session_tabulations_add,
    session_tabulations_remove,
)
from sessions_app.services.events import session_event_record
from sessions_app.services.lifecycle import (
    session_change_status,
    session_close,
    session_pause,
    session_reopen,
    session_resume,
)


def actor_for(request) -> str:
    return f"agent:{request.user.username}"


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
        # Taking a conversation yourself is your call, even beyond your maximum.
        session_assign(
            session=session,
            actor=actor_for(request),
            agent=agent,
            department=session.assigned_department,
            force=True,
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
    # contacts sits below sessions: the console writes the timeline entry.
    session_event_record(
        session=session, code="bypass_bots", actor=actor_for(request), data={"bypassBots": value}
    )
    return _(BYPASS_ON if value else BYPASS_OFF)


def _act_send_template(request, session, form):
    created = template_send(session=session, form=form, actor=actor_for(request), user=request.user)
    return _("Template sent.") if created else _("That message was already sent.")


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
    "send-template": _act_send_template,
}
