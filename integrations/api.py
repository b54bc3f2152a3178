"""Integrations (where turns and events go) and their deliveries, for integrators."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from core.api import get_scoped_or_404
from core.schema import links
from integrations import selectors
from integrations import services as integration_services
from integrations.deliveries import delivery_redeliver
from integrations.models import Delivery, Integration
from integrations.serializers import (
    DeliverySerializer,
    IntegrationSerializer,
    IntegrationWithNewSecretSerializer,
    IntegrationWriteSerializer,
)

INTEGRATION_EXAMPLE = OpenApiExample(
    "Integration",
    value={
        "id": "4d2c8b1a-6e5f-4a3b-9c8d-7e6f5a4b3c2d",
        "name": "AI agent",
        "url": "https://agent.example.com/atende",
        "events": ["turn.ready", "session.status_changed"],
        "active": True,
        "timeoutSeconds": 10,
        "hasSecret": True,
        "createdAt": "2026-01-05T12:00:00Z",
        "updatedAt": "2026-01-05T12:00:00Z",
    },
    response_only=True,
)
DELIVERY_EXAMPLE = OpenApiExample(
    "Delivery",
    value={
        "id": "8f7e6d5c-4b3a-4291-8e7d-6c5b4a392817",
        "integrationId": "4d2c8b1a-6e5f-4a3b-9c8d-7e6f5a4b3c2d",
        "event": "turn.ready",
        "status": "SUCCEEDED",
        "attemptsCount": 2,
        "lastStatusCode": 200,
        "lastError": "",
        "nextAttemptAt": None,
        "deliveredAt": "2026-01-05T12:00:12Z",
        "turnId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "payload": {"event": "turn.ready"},
        "attempts": [
            {
                "id": "0f1e2d3c-4b5a-4697-8877-665544332211",
                "number": 1,
                "statusCode": 503,
                "latencyMs": 41,
                "error": "HTTP 503",
                "createdAt": "2026-01-05T12:00:09Z",
            },
            {
                "id": "1f1e2d3c-4b5a-4697-8877-665544332211",
                "number": 2,
                "statusCode": 200,
                "latencyMs": 37,
                "error": "",
                "createdAt": "2026-01-05T12:00:12Z",
            },
        ],
        "createdAt": "2026-01-05T12:00:09Z",
        "updatedAt": "2026-01-05T12:00:12Z",
    },
    response_only=True,
)


def _integrations(request):
    return selectors.integration_list(organization=request_organization(request))


class IntegrationListCreateView(generics.ListAPIView):
    queryset = Integration.objects.none()
    serializer_class = IntegrationSerializer

    def get_queryset(self):
        return _integrations(self.request).order_by("name", "id")

    @extend_schema(summary="List integrations", examples=[INTEGRATION_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create an integration",
        extensions=links(
            201,
            {"integration_id": "$response.body#/id"},
            "GET /api/v1/integrations/{integration_id}",
            "PATCH /api/v1/integrations/{integration_id}",
            "DELETE /api/v1/integrations/{integration_id}",
            "GET /api/v1/integrations/{integration_id}/deliveries",
        ),
        request=IntegrationWriteSerializer,
        responses={201: IntegrationSerializer},
        examples=[
            OpenApiExample(
                "AI agent",
                value={
                    "name": "AI agent",
                    "url": "https://agent.example.com/atende",
                    "events": ["turn.ready"],
                    "secret": "a-long-random-secret",
                },
                request_only=True,
            ),
            INTEGRATION_EXAMPLE,
        ],
    )
    def post(self, request):
        serializer = IntegrationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        integration = integration_services.integration_create(
            organization=request_organization(request),
            name=data["name"],
            url=data["url"],
            events=data["events"],
            secret=data.get("secret") or None,
            is_active=data["is_active"],
            timeout_seconds=data.get("timeout_seconds"),
        )
        generated = not data.get("secret")
        return Response(_representation(integration, generated), status=status.HTTP_201_CREATED)


def _representation(integration, secret_generated: bool) -> dict:
    """The integration; with the secret only in the answer that generated it,
    so the integrator can check signatures (it is never shown again)."""
    if secret_generated:
        return IntegrationWithNewSecretSerializer(integration).data
    return IntegrationSerializer(integration).data


class IntegrationDetailView(APIView):
    @extend_schema(
        summary="Get an integration",
        responses=IntegrationSerializer,
        examples=[INTEGRATION_EXAMPLE],
    )
    def get(self, request, integration_id):
        integration = get_scoped_or_404(_integrations(request), integration_id, "integration")
        return Response(IntegrationSerializer(integration).data)

    @extend_schema(
        summary="Update an integration",
        request=IntegrationWriteSerializer(partial=True),
        responses=IntegrationSerializer,
        examples=[INTEGRATION_EXAMPLE],
    )
    def patch(self, request, integration_id):
        integration = get_scoped_or_404(_integrations(request), integration_id, "integration")
        serializer = IntegrationWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        integration = integration_services.integration_update(integration=integration, **data)
        generated = "secret" in data and not data["secret"]
        return Response(_representation(integration, generated))

    @extend_schema(summary="Delete an integration", responses={204: None})
    def delete(self, request, integration_id):
        integration = get_scoped_or_404(_integrations(request), integration_id, "integration")
        integration_services.integration_delete(integration=integration)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IntegrationDeliveriesView(generics.ListAPIView):
    queryset = Delivery.objects.none()
    serializer_class = DeliverySerializer

    def get_queryset(self):
        integration = get_scoped_or_404(
            _integrations(self.request), self.kwargs["integration_id"], "integration"
        )
        return selectors.delivery_list(integration=integration).order_by("-created_at", "-id")

    @extend_schema(
        summary="Deliveries of an integration, newest first, with every attempt",
        examples=[DELIVERY_EXAMPLE],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DeliveryRedeliverView(APIView):
    @extend_schema(
        summary="Offer a delivery again from the start",
        request=None,
        responses={202: DeliverySerializer},
        examples=[
            OpenApiExample(
                "Queued again",
                value={**DELIVERY_EXAMPLE.value, "status": "PENDING", "attemptsCount": 0},
                response_only=True,
                status_codes=["202"],
            )
        ],
    )
    def post(self, request, delivery_id):
        delivery = get_scoped_or_404(
            Delivery.objects.filter(organization=request_organization(request)),
            delivery_id,
            "delivery",
        )
        delivery = delivery_redeliver(delivery=delivery)
        fresh = Delivery.objects.prefetch_related("attempts").get(pk=delivery.pk)
        return Response(DeliverySerializer(fresh).data, status=status.HTTP_202_ACCEPTED)
