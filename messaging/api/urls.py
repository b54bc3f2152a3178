from django.urls import path

from messaging.api import messages, sessions

urlpatterns = [
    path("messages", messages.MessageListCreateView.as_view(), name="message-list"),
    path("messages/<uuid:message_id>", messages.MessageDetailView.as_view(), name="message-detail"),
    path(
        "messages/<uuid:message_id>/media",
        messages.MessageMediaView.as_view(),
        name="message-media",
    ),
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
