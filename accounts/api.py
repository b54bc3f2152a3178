from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.authentication import request_organization
from accounts.models import Department
from accounts.serializers import (
    CurrentOrganizationSerializer,
    DepartmentSerializer,
    DepartmentWriteSerializer,
    OrganizationPatchSerializer,
    OrganizationUpdateSerializer,
)
from core.api import LimitedJSONParser, get_scoped_or_404
from core.schema import links


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <key>"}


ORGANIZATION_EXAMPLE = OpenApiExample(
    "The key's organization",
    response_only=True,
    value={
        "id": "0d6c3b1e-5b7a-4a51-8f0e-2c9d7e6a1b22",
        "name": "Padaria Pão Quente",
        "apiKeyName": "crm",
        "csat": {
            "enabled": True,
            "question": "De 1 a 5, como foi o atendimento?",
            "thanks": "Obrigado pela avaliação!",
        },
        "retention": {"messagesDays": 365, "mediaDays": 90, "closedSessionsDays": None},
    },
)


def _organization_body(request, organization) -> dict:
    return CurrentOrganizationSerializer(
        {
            "id": organization.id,
            "name": organization.name,
            "apiKeyName": request.auth.name,
            "csat": organization,
            "retention": organization,
        }
    ).data


class CurrentOrganizationView(APIView):
    """The organization the presented API key belongs to, and its settings."""

    parser_classes = [LimitedJSONParser]

    @extend_schema(responses=CurrentOrganizationSerializer, examples=[ORGANIZATION_EXAMPLE])
    def get(self, request):
        return Response(_organization_body(request, request_organization(request)))

    @extend_schema(
        summary="Change the organization's settings (the satisfaction survey, retention)",
        description=(
            "Send only what changes. `retention`: days after which a daily task erases "
            "content (null keeps it); see docs/PRIVACY.md."
        ),
        request=OrganizationPatchSerializer,
        responses=CurrentOrganizationSerializer,
        examples=[
            OpenApiExample(
                "Turn the survey on",
                value={"csat": {"enabled": True}},
                request_only=True,
            ),
            ORGANIZATION_EXAMPLE,
        ],
    )
    def patch(self, request):
        return self._update(request, partial=True)

    @extend_schema(
        summary="Replace the organization's settings (each section given, whole)",
        request=OrganizationUpdateSerializer,
        responses=CurrentOrganizationSerializer,
        examples=[
            OpenApiExample(
                "The survey",
                value={
                    "csat": {
                        "enabled": True,
                        "question": "De 1 a 5, como foi o atendimento?",
                        "thanks": "Obrigado pela avaliação!",
                    },
                    "retention": {"messagesDays": 365, "mediaDays": 90, "closedSessionsDays": None},
                },
                request_only=True,
            ),
            ORGANIZATION_EXAMPLE,
        ],
    )
    def put(self, request):
        return self._update(request, partial=False)

    def _update(self, request, *, partial: bool):
        kind = OrganizationPatchSerializer if partial else OrganizationUpdateSerializer
        serializer = kind(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        organization = request_organization(request)
        if "retention" in serializer.validated_data:
            organization = services.organization_retention_update(
                organization=organization, **serializer.validated_data["retention"]
            )
        organization = services.organization_csat_update(
            organization=organization, **serializer.validated_data.get("csat", {})
        )
        return Response(_organization_body(request, organization))


DEPARTMENT_EXAMPLE = OpenApiExample(
    "Department",
    value={
        "id": "3c1d9a55-0f55-4d8e-b6d7-8d2a4c7f2e11",
        "name": "Vendas",
        "description": "Sales team",
        "active": True,
        "createdAt": "2026-01-05T12:00:00Z",
        "updatedAt": "2026-01-05T12:00:00Z",
    },
    response_only=True,
)


def _departments(request):
    return Department.objects.filter(organization=request_organization(request)).order_by(
        "name", "id"
    )


class DepartmentListCreateView(generics.ListAPIView):
    queryset = Department.objects.none()
    serializer_class = DepartmentSerializer

    def get_queryset(self):
        return _departments(self.request)

    @extend_schema(summary="List departments", examples=[DEPARTMENT_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a department",
        extensions=links(
            201,
            {"department_id": "$response.body#/id"},
            "GET /api/v1/departments/{department_id}",
            "PATCH /api/v1/departments/{department_id}",
            "DELETE /api/v1/departments/{department_id}",
        ),
        request=DepartmentWriteSerializer,
        responses={201: DepartmentSerializer},
        examples=[
            OpenApiExample("New department", value={"name": "Vendas"}, request_only=True),
            DEPARTMENT_EXAMPLE,
        ],
    )
    def post(self, request):
        serializer = DepartmentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        department = services.department_create(
            organization=request_organization(request), **serializer.validated_data
        )
        return Response(DepartmentSerializer(department).data, status=status.HTTP_201_CREATED)


class DepartmentDetailView(APIView):
    @extend_schema(
        summary="Get a department", responses=DepartmentSerializer, examples=[DEPARTMENT_EXAMPLE]
    )
    def get(self, request, department_id):
        department = get_scoped_or_404(_departments(request), department_id, "department")
        return Response(DepartmentSerializer(department).data)

    @extend_schema(
        summary="Update a department",
        request=DepartmentWriteSerializer(partial=True),
        responses=DepartmentSerializer,
        examples=[DEPARTMENT_EXAMPLE],
    )
    def patch(self, request, department_id):
        department = get_scoped_or_404(_departments(request), department_id, "department")
        serializer = DepartmentWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        department = services.department_update(department=department, **serializer.validated_data)
        return Response(DepartmentSerializer(department).data)

    @extend_schema(
        summary="Delete a department (409 while open sessions are assigned)",
        responses={204: None},
    )
    def delete(self, request, department_id):
        department = get_scoped_or_404(_departments(request), department_id, "department")
        services.department_delete(department=department)
        return Response(status=status.HTTP_204_NO_CONTENT)
