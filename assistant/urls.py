from django.urls import path

from assistant import api

urlpatterns = [
    path("assistants", api.AssistantListCreateView.as_view(), name="assistant-list"),
    path(
        "assistants/<uuid:assistant_id>", api.AssistantDetailView.as_view(), name="assistant-detail"
    ),
    path(
        "assistants/<uuid:assistant_id>/documents",
        api.DocumentListCreateView.as_view(),
        name="assistant-documents",
    ),
    path(
        "assistants/<uuid:assistant_id>/documents/<uuid:document_id>",
        api.DocumentDetailView.as_view(),
        name="assistant-document-detail",
    ),
    path("assistants/<uuid:assistant_id>/runs", api.RunListView.as_view(), name="assistant-runs"),
]
