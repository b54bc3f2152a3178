from django.urls import path

from sessions_app import api

# GET /sessions/{id}, /sessions/{id}/messages and /sessions/by-contact/{id}
# are conversation reads: messaging.api.urls serves them.
urlpatterns = [
    path("sessions", api.SessionListCreateView.as_view(), name="session-list"),
    path("sessions/<uuid:session_id>/block-ai", api.SessionBlockAiView.as_view()),
    path("sessions/<uuid:session_id>/unblock-ai", api.SessionUnblockAiView.as_view()),
    path("sessions/<uuid:session_id>/ai-status", api.SessionAiStatusView.as_view()),
    path("sessions/<uuid:session_id>/close", api.SessionCloseView.as_view()),
    path("sessions/<uuid:session_id>/reopen", api.SessionReopenView.as_view()),
    path("sessions/<uuid:session_id>/status", api.SessionStatusView.as_view()),
    path("sessions/<uuid:session_id>/assign", api.SessionAssignView.as_view()),
    path("sessions/<uuid:session_id>/tags", api.SessionTagsView.as_view()),
]
