"""Every ``/api/v1/messages…`` and ``/api/v1/sessions…`` route, in one place.

The session lifecycle (list, create, block-ai, close, status, assign, tags…)
is served by ``sessions_app.api``; the conversation reads (a session with its
latest messages, its messages paged, ``by-contact``) by
``messaging.api.sessions``, since they read messages.
"""

from django.urls import path

from messaging.api import messages, sessions
from sessions_app import api as lifecycle

urlpatterns = [
    path("messages", messages.MessageListCreateView.as_view(), name="message-list"),
    path("messages/<uuid:message_id>", messages.MessageDetailView.as_view(), name="message-detail"),
    path(
        "messages/<uuid:message_id>/media",
        messages.MessageMediaView.as_view(),
        name="message-media",
    ),
    path("sessions", lifecycle.SessionListCreateView.as_view(), name="session-list"),
    path("sessions/<uuid:session_id>/block-ai", lifecycle.SessionBlockAiView.as_view()),
    path("sessions/<uuid:session_id>/unblock-ai", lifecycle.SessionUnblockAiView.as_view()),
    path("sessions/<uuid:session_id>/ai-status", lifecycle.SessionAiStatusView.as_view()),
    path("sessions/<uuid:session_id>/close", lifecycle.SessionCloseView.as_view()),
    path("sessions/<uuid:session_id>/reopen", lifecycle.SessionReopenView.as_view()),
    path("sessions/<uuid:session_id>/status", lifecycle.SessionStatusView.as_view()),
    path("sessions/<uuid:session_id>/assign", lifecycle.SessionAssignView.as_view()),
    path("sessions/<uuid:session_id>/tags", lifecycle.SessionTagsView.as_view()),
    path(
        "sessions/by-contact/<uuid:contact_id>",
        sessions.SessionsByContactView.as_view(),
        name="sessions-by-contact",
    ),
    path("sessions/<uuid:session_id>", sessions.SessionDetailView.as_view(), name="session-detail"),
    path(
        "sessions/<uuid:session_id>/messages",
        sessions.SessionMessagesView.as_view(),
        name="session-messages",
    ),
]
