"""Canned responses for integrators. Thin views: validate, call a service, serialize."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from accounts.models import Department
from canned import selectors, services
from canned.models import CannedResponse
from canned.serializers import (
    CannedResponseSerializer,
    CannedResponseWriteSerializer,
    CannedSearchSerializer,
)
from core.api import LimitedJSONParser, get_referenced, get_scoped_or_404

CANNED_EXAMPLE = OpenApiExample(
    "Canned response",
    value={
        "id": "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        "shortCode": "saudacao",
        "content": "Olá, {{contact.firstName}}! Sou {{agent.name}}, já vou verificar seu pedido.",
        "departmentId": None,
        "createdAt": "2026-01-05T12:00:00Z",
        "updatedAt": "2026-01-05T12:00:00Z",
    },
    response_only=True,
)


def _department(request, data: dict) -> dict:
    """The body's departmentId as the organization's department (400 if unknown)."""
    if "departmentId" not in request.data:
        data.pop("departmentId", None)
        return data
    department_id = data.pop("departmentId", None)
    data["department"] = get_referenced(
        Department, request_organization(request), department_id, "departmentId"
    )
    return data


class CannedResponseListCreateView(generics.ListAPIView):
    queryset = CannedResponse.objects.none()
    serializer_class = CannedResponseSerializer
    parser_classes = [LimitedJSONParser]

    def get_queryset(self):
        params = CannedSearchSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.canned_list(
            organization=request_organization(self.request),
            search=params.validated_data.get("search", ""),
        )

    @extend_schema(
        summary="List canned responses",
        parameters=[
            OpenApiParameter(
                "search", str, description="Matches the short code or the content (any case)."
            )
        ],
        examples=[CANNED_EXAMPLE],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a canned response (409 `canned_short_code_taken`, 400 `unknown_variable`)",
        request=CannedResponseWriteSerializer,
        responses={201: CannedResponseSerializer},
        examples=[
            OpenApiExample(
                "New canned response",
                value={"shortCode": "saudacao", "content": "Olá, {{contact.firstName}}!"},
                request_only=True,
            ),
            CANNED_EXAMPLE,
        ],
    )
    def post(self, request):
        serializer = CannedResponseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        canned = services.canned_create(
            organization=request_organization(request),
            **_department(request, dict(serializer.validated_data)),
        )
        return Response(CannedResponseSerializer(canned).data, status=status.HTTP_201_CREATED)


class CannedResponseDetailView(APIView):
    parser_classes = [LimitedJSONParser]

    def _get(self, request, canned_id):
        return get_scoped_or_404(
            selectors.canned_list(organization=request_organization(request)),
            canned_id,
            "canned response",
        )

    @extend_schema(
        summary="Get a canned response",
        responses=CannedResponseSerializer,
        examples=[CANNED_EXAMPLE],
    )
    def get(self, request, canned_id):
        return Response(CannedResponseSerializer(self._get(request, canned_id)).data)

    @extend_schema(
        summary="Update a canned response",
        request=CannedResponseWriteSerializer(partial=True),
        responses=CannedResponseSerializer,
        examples=[CANNED_EXAMPLE],
    )
    def patch(self, request, canned_id):
        canned = self._get(request, canned_id)
        serializer = CannedResponseWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        canned = services.canned_update(
            canned=canned, **_department(request, dict(serializer.validated_data))
        )
        return Response(CannedResponseSerializer(canned).data)

    @extend_schema(summary="Delete a canned response", responses={204: None})
    def delete(self, request, canned_id):
        services.canned_delete(canned=self._get(request, canned_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
