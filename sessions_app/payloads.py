"""The session's JSON shape: one builder for the API and for the events.

``session_payload`` writes a session as ``GET /api/v1/sessions/{id}`` shows
it (``SessionSerializer`` declares the same keys for the OpenAPI schema and
delegates its values here) and, with ``keys``, as the events sent to
integrations show it: ``SESSION_EVENT_KEYS`` in ``session.status_changed``,
``session.ai_blocked`` and ``session.handoff``, ``TURN_READY_SESSION_KEYS``
in ``turn.ready``. A key has one value wherever it appears
(``tests/sessions_app/test_session_shape_in_api_and_events.py`` pins that).

Only the requested keys are computed, so an event reads nothing but the
session row. The keys the events leave out, by design:

- the joined objects ``contact``, ``instance``, ``assignedDepartment``,
  ``assignedAgent`` and ``tabulations``: each would cost a query inside the
  publishing service's transaction, and the event already has their ids
  (``turn.ready`` carries its own ``contact`` and ``instance``);
- ``aiBlocked``: a judgment against the reader's clock, stale in a delivery
  retried later; ``aiBlockedUntil`` is the fact it is judged from;
- ``businessHours`` (``{"open", "nextOpenAt"}`` of the session's department,
  else its organization): a judgment against the clock too, and a query;
  ``turn.ready`` carries it, since an AI answering now needs it now;
- the rest (``assignedCustomerId``, ``concatTimeout``, ``aiBlockedBy``,
  ``pausedBy``, ``lastCustomerMessageAt``, ``whatsappWindowExpiresAt``, ``csat``,
  ``startedAt``, ``lastMessageAt``, ``createdAt``, ``updatedAt``) has never
  been part of the events' contract (docs/PIPELINE.md); adding one to
  ``SESSION_EVENT_KEYS`` changes what every integration receives.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from accounts.business_hours import business_hours_effective, business_hours_state
from contacts.serializers import TabulationBriefSerializer
from core.timefmt import iso_utc
from sessions_app.models import ChatSession
from sessions_app.selectors import session_ai_block_active


def _id(value) -> str | None:
    return str(value) if value is not None else None


def _named(obj) -> dict | None:
    return {"id": str(obj.id), "name": obj.name} if obj is not None else None


def _csat(session: ChatSession) -> dict | None:
    if session.csat_rating is None:
        return None
    return {
        "rating": session.csat_rating,
        "comment": session.csat_comment,
        "answeredAt": iso_utc(session.csat_answered_at),
    }


def _tabulations(session: ChatSession) -> list:
    # session_list prefetches the links with their tabulations, in tagging order.
    tabulations = [link.tabulation for link in session.session_tabulations.all()]
    return TabulationBriefSerializer(tabulations, many=True).data


def _related(obj, name: str):
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _hours_of(session: ChatSession):
    """The department's own hours, else the organization's: from the joins
    ``session_list`` selects when present, else one query."""
    cache = session._state.fields_cache
    if "organization" not in cache or (
        session.assigned_department_id is not None and "assigned_department" not in cache
    ):
        return business_hours_effective(session.organization_id, session.assigned_department_id)
    department = session.assigned_department
    own = _related(department, "business_hours") if department is not None else None
    return own or _related(session.organization, "business_hours")


def _business_hours(session: ChatSession, now: datetime | None) -> dict:
    state = business_hours_state(_hours_of(session), now or timezone.now())
    return {"open": state.open, "nextOpenAt": iso_utc(state.next_open_at)}


# Every key, in the API's order; each reads the session (and ``now``, the
# clock aiBlocked is judged against: None for the current time).
_VALUES: dict[str, Callable[[ChatSession, datetime | None], object]] = {
    "id": lambda s, now: str(s.id),
    "contactId": lambda s, now: str(s.contact_id),
    "instanceId": lambda s, now: str(s.instance_id),
    "status": lambda s, now: str(s.status),
    "startedBy": lambda s, now: str(s.started_by),
    "statusReason": lambda s, now: s.status_reason,
    "endReason": lambda s, now: s.end_reason,
    "externalId": lambda s, now: s.external_id,
    "assignedDepartmentId": lambda s, now: _id(s.assigned_department_id),
    "assignedAgentId": lambda s, now: _id(s.assigned_agent_id),
    "assignedCustomerId": lambda s, now: s.assigned_customer_id,
    "assignedDepartment": lambda s, now: _named(s.assigned_department),
    "assignedAgent": lambda s, now: _named(s.assigned_agent),
    "concatTimeout": lambda s, now: s.concat_timeout,
    "aiBlocked": lambda s, now: session_ai_block_active(s, now=now),
    "aiBlockedUntil": lambda s, now: iso_utc(s.ai_blocked_until),
    "aiBlockReason": lambda s, now: s.ai_block_reason,
    "aiBlockedBy": lambda s, now: s.ai_blocked_by,
    "businessHours": _business_hours,
    "pausedUntil": lambda s, now: iso_utc(s.paused_until),
    "pausedBy": lambda s, now: s.paused_by,
    "lastCustomerMessageAt": lambda s, now: iso_utc(s.last_customer_message_at),
    "whatsappWindowExpiresAt": lambda s, now: iso_utc(s.whatsapp_window_expires_at),
    "contact": lambda s, now: {
        "id": str(s.contact.id),
        "name": s.contact.name,
        "phone": s.contact.phone,
    },
    "instance": lambda s, now: {
        "id": str(s.instance.id),
        "name": s.instance.name,
        "provider": s.instance.provider,
    },
    "tabulations": lambda s, now: _tabulations(s),
    "csat": lambda s, now: _csat(s),
    "startedAt": lambda s, now: iso_utc(s.started_at),
    "closedAt": lambda s, now: iso_utc(s.closed_at),
    "lastMessageAt": lambda s, now: iso_utc(s.last_message_at),
    "createdAt": lambda s, now: iso_utc(s.created_at),
    "updatedAt": lambda s, now: iso_utc(s.updated_at),
}

# The API's session (GET /api/v1/sessions/{id}, lists, action answers).
# It reads the joins that sessions_app.selectors.session_list prepares.
SESSION_API_KEYS = tuple(_VALUES)

# A session in session.status_changed, session.ai_blocked, session.handoff.
SESSION_EVENT_KEYS = (
    "id",
    "status",
    "startedBy",
    "statusReason",
    "endReason",
    "externalId",
    "contactId",
    "instanceId",
    "assignedDepartmentId",
    "assignedAgentId",
    "aiBlockedUntil",
    "aiBlockReason",
    "pausedUntil",
    "closedAt",
)

# The keys a ``turn.ready`` delivery carries about its session.
TURN_READY_SESSION_KEYS = (
    "id",
    "status",
    "startedBy",
    "externalId",
    "assignedDepartmentId",
    "assignedAgentId",
    "businessHours",
)


def session_payload(
    session: ChatSession,
    *,
    keys: Iterable[str] = SESSION_API_KEYS,
    now: datetime | None = None,
) -> dict:
    """The session as JSON-ready values, ``keys`` in their order."""
    return {key: _VALUES[key](session, now) for key in keys}
