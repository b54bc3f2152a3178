from django.urls import path

from canned import api

urlpatterns = [
    path("canned-responses", api.CannedResponseListCreateView.as_view(), name="canned-list"),
    path(
        "canned-responses/<uuid:canned_id>",
        api.CannedResponseDetailView.as_view(),
        name="canned-detail",
    ),
]
