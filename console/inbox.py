"""The session list that follows the inbox while it is open.

The page asks ``…/chatsession/changes/`` every few seconds with the version
it has (``If-None-Match``). The version is the organization's latest
session change and latest message (two index-backed MAX), so nothing new
costs one cheap query and a 304. Something new answers the count for the
tab's title (unread sessions assigned to me or waiting in my queue) and the
conversations waiting for me (for notifications); the page then fetches
its own URL again (filters, page and ordering kept) and swaps the rows.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Exists, Max, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotModified, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.admin_scope import agent_of, scope_queryset
from messaging.models import Author, Message
from sessions_app.models import ChatSession, SessionStatus

POLL_SECONDS = 4
# Notifications name at most this many waiting conversations.
WAITING_LIMIT = 100
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def inbox_version(request) -> str:
    """Changes when any session the viewer's organization has changes or gets
    a message. Not narrowed to the viewer's departments: a session that
    leaves them must leave their list too."""
    sessions = scope_queryset(request, ChatSession.objects.all(), organization_path="organization")
    latest = sessions.aggregate(changed=Max("updated_at"), message=Max("last_message_at"))
    stamps = [latest["changed"], latest["message"]]
    return "-".join(f"{stamp.timestamp():.6f}" if stamp else "0" for stamp in stamps)


def _waiting_for_me(request):
    """Open sessions assigned to me, and the queue of my departments (QUEUED,
    nobody assigned), newest activity first, with whether they have unread
    customer messages."""
    sessions = scope_queryset(
        request,
        ChatSession.objects.all(),
        organization_path="organization",
        department_path="assigned_department",
    )
    queued = Q(status=SessionStatus.QUEUED, assigned_agent__isnull=True)
    me = agent_of(request)
    wanted = queued | (Q(assigned_agent=me) & ~Q(status=SessionStatus.CLOSED)) if me else queued
    unread = Message.objects.filter(
        session=OuterRef("pk"),
        author=Author.CUSTOMER,
        created_at__gt=Coalesce(OuterRef("agent_last_seen_at"), Value(_EPOCH)),
    )
    return (
        sessions.filter(wanted)
        .annotate(has_unread=Exists(unread))
        .select_related("contact")
        .order_by("-last_message_at", "-created_at")
    )


def inbox_state(request) -> dict:
    """What the page shows and announces: the version, the title's count and
    the conversations waiting for me."""
    waiting = _waiting_for_me(request)
    rows = list(waiting[:WAITING_LIMIT])
    me = agent_of(request)
    return {
        "version": inbox_version(request),
        "unread": waiting.filter(has_unread=True).count(),
        "waiting": [
            {
                "id": str(session.pk),
                "name": session.contact.name or session.contact.phone or "",
                "kind": "assigned" if me and session.assigned_agent_id == me.pk else "queued",
                "url": reverse("admin:sessions_app_chatsession_conversation", args=[session.pk]),
            }
            for session in rows
        ],
    }


@require_GET
def session_list_changes(request, model_admin):
    """304 when the version the page has is current; else the new state."""
    if not model_admin.has_view_permission(request):
        return JsonResponse({"error": "forbidden"}, status=403)
    version = inbox_version(request)
    etag = f'"{version}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = JsonResponse(inbox_state(request))
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
