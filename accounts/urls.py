from django.urls import path

from accounts import agents_api, api, business_hours_api

urlpatterns = [
    path("organization", api.CurrentOrganizationView.as_view(), name="current-organization"),
    path("departments", api.DepartmentListCreateView.as_view(), name="department-list"),
    path(
        "departments/<uuid:department_id>",
        api.DepartmentDetailView.as_view(),
        name="department-detail",
    ),
    path(
        "departments/<uuid:department_id>/business-hours",
        business_hours_api.DepartmentBusinessHoursView.as_view(),
        name="department-business-hours",
    ),
    path("business-hours", business_hours_api.BusinessHoursView.as_view(), name="business-hours"),
    path("agents", agents_api.AgentListView.as_view(), name="agent-list"),
    path("agents/<uuid:agent_id>", agents_api.AgentDetailView.as_view(), name="agent-detail"),
]
