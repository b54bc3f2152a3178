from django.urls import path

from providers.api import (
    InstanceDetailView,
    InstanceHealthCheckView,
    InstanceListCreateView,
    InstanceQrCodeView,
)

urlpatterns = [
    path("instances", InstanceListCreateView.as_view(), name="instance-list"),
    path("instances/<uuid:instance_id>", InstanceDetailView.as_view(), name="instance-detail"),
    path(
        "instances/<uuid:instance_id>/health-check",
        InstanceHealthCheckView.as_view(),
        name="instance-health-check",
    ),
    path("instances/<uuid:instance_id>/qr", InstanceQrCodeView.as_view(), name="instance-qr"),
]
