from django.urls import path

from providers.api import (
    InstanceDetailView,
    InstanceHealthCheckView,
    InstanceListCreateView,
    InstanceQrCodeView,
)
from providers.templates.api import TemplateListView, TemplateSyncView

urlpatterns = [
    path("instances", InstanceListCreateView.as_view(), name="instance-list"),
    path("instances/<uuid:instance_id>", InstanceDetailView.as_view(), name="instance-detail"),
    path(
        "instances/<uuid:instance_id>/health-check",
        InstanceHealthCheckView.as_view(),
        name="instance-health-check",
    ),
    path("instances/<uuid:instance_id>/qr", InstanceQrCodeView.as_view(), name="instance-qr"),
    path(
        "instances/<uuid:instance_id>/templates",
        TemplateListView.as_view(),
        name="instance-templates",
    ),
    path(
        "instances/<uuid:instance_id>/templates/sync",
        TemplateSyncView.as_view(),
        name="instance-templates-sync",
    ),
]
