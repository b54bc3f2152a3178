from django.urls import path

from accounts import api

urlpatterns = [
    path("organization", api.CurrentOrganizationView.as_view(), name="current-organization"),
    path("departments", api.DepartmentListCreateView.as_view(), name="department-list"),
    path(
        "departments/<uuid:department_id>",
        api.DepartmentDetailView.as_view(),
        name="department-detail",
    ),
]
