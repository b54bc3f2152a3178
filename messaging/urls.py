from django.urls import path

from messaging import api

urlpatterns = [
    path("messages", api.MessageListCreateView.as_view(), name="message-list"),
    path("messages/<uuid:message_id>", api.MessageDetailView.as_view(), name="message-detail"),
    path("messages/<uuid:message_id>/media", api.MessageMediaView.as_view(), name="message-media"),
    path(
        "sessions/by-contact/<uuid:contact_id>",
        api.SessionsByContactView.as_view(),
        name="sessions-by-contact",
    ),
    path("sessions/<uuid:session_id>", api.SessionDetailView.as_view(), name="session-detail"),
    path(
        "sessions/<uuid:session_id>/messages",
        api.SessionMessagesView.as_view(),
        name="session-messages",
    ),
]
