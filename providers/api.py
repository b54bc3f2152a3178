"""Instances for integrators: CRUD, health check and QR pairing. Thin views."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from accounts.models import Department
from core.api import get_referenced, get_scoped_or_404
from core.errors import Conflict
from core.schema import errors, links
from providers import selectors, services
from providers.base import QrCodeEvent
from providers.models import Instance
from providers.qr import QrTooLong, is_image, qr_image_uri
from providers.serializers import (
    INSTANCE_EXAMPLE,
    ConnectionSerializer,
    InstanceSerializer,
    InstanceWriteSerializer,
)

CREATE_EXAMPLE = OpenApiExample(
    "Evolution instance",
    value={
        "name": "Loja Centro",
        "provider": "evolution",
        "baseUrl": "https://evo.example.com",
        "externalId": "loja-centro",
        "credentials": {"apiKey": "B6D711FCDE4D4FD5936544120E713976"},
    },
    request_only=True,
)


def _instance(request, instance_id) -> Instance:
    return get_scoped_or_404(
        selectors.instance_list(organization=request_organization(request)), instance_id, "instance"
    )


def _fields(request, validated: dict) -> dict:
    fields = dict(validated)
    fields.pop("provider", None)
    if "default_department_id" in fields:
        fields["default_department"] = get_referenced(
            Department,
            request_organization(request),
            fields.pop("default_department_id"),
            "defaultDepartmentId",
        )
    if "assistant_id" in fields:
        # The assistant app sits above providers: its model is reached
        # through the foreign key, never imported.
        fields["assistant"] = get_referenced(
            Instance._meta.get_field("assistant").related_model,
            request_organization(request),
            fields.pop("assistant_id"),
            "assistantId",
        )
    return fields


def _response(request, instance, http_status=status.HTTP_200_OK) -> Response:
    return Response(InstanceSerializer(instance, context={"request": request}).data, http_status)


class InstanceListCreateView(generics.ListAPIView):
    queryset = Instance.objects.none()  # for the schema; get_queryset scopes
    serializer_class = InstanceSerializer

    def get_queryset(self):
        return selectors.instance_list(organization=request_organization(self.request))

    @extend_schema(summary="List instances")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create an instance",
        extensions=links(
            201,
            {"instance_id": "$response.body#/id"},
            "GET /api/v1/instances/{instance_id}",
            "PATCH /api/v1/instances/{instance_id}",
            "DELETE /api/v1/instances/{instance_id}",
        ),
        request=InstanceWriteSerializer,
        responses={201: InstanceSerializer},
        examples=[CREATE_EXAMPLE, INSTANCE_EXAMPLE],
    )
    def post(self, request):
        serializer = InstanceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        instance = services.instance_create(
            organization=request_organization(request),
            name=data["name"],
            provider=data["provider"],
            **{k: v for k, v in _fields(request, data).items() if k != "name"},
        )
        return _response(request, instance, status.HTTP_201_CREATED)


class InstanceDetailView(APIView):
    @extend_schema(summary="Get an instance", responses=InstanceSerializer)
    def get(self, request, instance_id):
        return _response(request, _instance(request, instance_id))

    @extend_schema(
        summary="Update an instance", request=InstanceWriteSerializer, responses=InstanceSerializer
    )
    def patch(self, request, instance_id):
        instance = _instance(request, instance_id)
        serializer = InstanceWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        provider = serializer.validated_data.get("provider", instance.provider)
        if provider != instance.provider:
            raise Conflict(
                _("An instance's provider cannot be changed."),
                code="provider_immutable",
                details={"provider": instance.provider},
            )
        instance = services.instance_update(
            instance=instance, **_fields(request, serializer.validated_data)
        )
        return _response(request, instance)

    @extend_schema(summary="Delete an instance", responses={204: None})
    def delete(self, request, instance_id):
        services.instance_delete(instance=_instance(request, instance_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstanceHealthCheckView(APIView):
    @extend_schema(
        summary="Ask the gateway for the connection state now",
        request=None,
        responses=InstanceSerializer,
        extensions=errors(502),
    )
    def post(self, request, instance_id):
        instance = services.instance_health_check(instance=_instance(request, instance_id))
        return _response(request, instance)


class InstanceQrCodeView(APIView):
    @extend_schema(
        summary="Start pairing: the QR code to scan (or the state when already connected)",
        description="409 `qr_not_supported` for a provider that pairs another way "
        "(sandbox, Cloud API); 502 `gateway_error` when the gateway fails.",
        responses=ConnectionSerializer,
        extensions=errors(409, 502),
    )
    def get(self, request, instance_id):
        instance = _instance(request, instance_id)
        answer = services.instance_connect(instance=instance)
        qr = answer if isinstance(answer, QrCodeEvent) else None
        code = qr.qr_code if qr else ""
        try:
            image = qr_image_uri(code)
        except QrTooLong:
            image = ""
        return Response(
            {
                "connectionStatus": instance.connection_status,
                "phoneNumber": instance.phone_number,
                "qrCode": image,
                "qrText": "" if is_image(code) else code,
                "pairingCode": qr.pairing_code if qr else "",
            }
        )
