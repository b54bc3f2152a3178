"""The API's instance representation (camelCase). Credentials and secrets are write-only."""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from core.strict import (
    StrictBooleanField,
    StrictCharField,
    StrictDictField,
    StrictIntegerField,
    StrictUUIDField,
)
from providers.models import Instance
from providers.registry import provider_slugs
from providers.selectors import instance_webhook_url

INSTANCE_EXAMPLE = OpenApiExample(
    "An Evolution API instance",
    response_only=True,
    value={
        "id": "5b0f3f0e-8a51-4a55-9a43-0d4f1f3c2a11",
        "name": "Loja Centro",
        "provider": "evolution",
        "baseUrl": "https://evolution.example.com",
        "externalId": "loja-centro",
        "phoneNumber": "5511987654321",
        "webhookUrl": "https://atende.example.com/api/v1/webhooks/evolution/Zk9…",
        "hasCredentials": True,
        "hasAppSecret": False,
        "hasVerifyToken": False,
        "connectionStatus": "CONNECTED",
        "connectionStatusSince": "2026-11-29T12:00:00Z",
        "lastHealthCheckAt": "2026-11-29T12:05:00Z",
        "lastHealthError": "",
        "qrCodeUpdatedAt": None,
        "concatTimeout": 8,
        "ignoreGroups": True,
        "defaultDepartmentId": None,
        "humanTakeoverMinutes": None,
        "transcribeAudio": True,
        "transcribeVideo": True,
        "describeImages": True,
        "readDocuments": True,
        "assistantId": None,
        "active": True,
        "createdAt": "2026-11-01T09:00:00Z",
        "updatedAt": "2026-11-29T12:05:00Z",
    },
)


@extend_schema_serializer(examples=[INSTANCE_EXAMPLE])
class InstanceSerializer(serializers.ModelSerializer):
    baseUrl = StrictCharField(source="base_url")
    externalId = StrictCharField(source="external_id")
    phoneNumber = StrictCharField(source="phone_number")
    webhookUrl = serializers.SerializerMethodField()
    hasCredentials = serializers.SerializerMethodField()
    hasAppSecret = serializers.SerializerMethodField()
    hasVerifyToken = serializers.SerializerMethodField()
    connectionStatus = StrictCharField(source="connection_status")
    connectionStatusSince = serializers.DateTimeField(
        source="connection_status_since", allow_null=True
    )
    lastHealthCheckAt = serializers.DateTimeField(source="last_health_check_at", allow_null=True)
    lastHealthError = StrictCharField(source="last_health_error")
    qrCodeUpdatedAt = serializers.DateTimeField(source="qr_code_updated_at", allow_null=True)
    concatTimeout = StrictIntegerField(source="concat_timeout")
    ignoreGroups = serializers.BooleanField(source="ignore_groups")
    defaultDepartmentId = StrictUUIDField(source="default_department_id", allow_null=True)
    humanTakeoverMinutes = StrictIntegerField(source="human_takeover_minutes", allow_null=True)
    transcribeAudio = serializers.BooleanField(source="transcribe_audio")
    transcribeVideo = serializers.BooleanField(source="transcribe_video")
    describeImages = serializers.BooleanField(source="describe_images")
    readDocuments = serializers.BooleanField(source="read_documents")
    assistantId = StrictUUIDField(source="assistant_id", allow_null=True)
    active = serializers.BooleanField(source="is_active")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Instance
        fields = [
            "id",
            "name",
            "provider",
            "baseUrl",
            "externalId",
            "phoneNumber",
            "webhookUrl",
            "hasCredentials",
            "hasAppSecret",
            "hasVerifyToken",
            "connectionStatus",
            "connectionStatusSince",
            "lastHealthCheckAt",
            "lastHealthError",
            "qrCodeUpdatedAt",
            "concatTimeout",
            "ignoreGroups",
            "defaultDepartmentId",
            "humanTakeoverMinutes",
            "transcribeAudio",
            "transcribeVideo",
            "describeImages",
            "readDocuments",
            "assistantId",
            "active",
            "createdAt",
            "updatedAt",
        ]
        read_only_fields = fields

    def get_webhookUrl(self, instance) -> str:  # noqa: N802 (camelCase API field)
        return instance_webhook_url(instance, request=self.context.get("request"))

    def get_hasCredentials(self, instance) -> bool:  # noqa: N802
        return bool(instance.credentials)

    def get_hasAppSecret(self, instance) -> bool:  # noqa: N802
        return bool(instance.app_secret)

    def get_hasVerifyToken(self, instance) -> bool:  # noqa: N802
        return bool(instance.verify_token)


class InstanceWriteSerializer(serializers.Serializer):
    """Create (every field) and PATCH (partial=True) input."""

    name = StrictCharField(max_length=120)
    provider = serializers.ChoiceField(choices=provider_slugs())
    baseUrl = serializers.URLField(
        source="base_url", max_length=500, required=False, allow_blank=True
    )
    credentials = StrictDictField(required=False, write_only=True)
    externalId = StrictCharField(
        source="external_id", max_length=200, required=False, allow_blank=True
    )
    appSecret = StrictCharField(
        source="app_secret", max_length=200, required=False, allow_blank=True, write_only=True
    )
    verifyToken = StrictCharField(
        source="verify_token", max_length=200, required=False, allow_blank=True, write_only=True
    )
    concatTimeout = StrictIntegerField(
        source="concat_timeout", min_value=1, max_value=60, required=False
    )
    ignoreGroups = StrictBooleanField(source="ignore_groups", required=False)
    defaultDepartmentId = StrictUUIDField(
        source="default_department_id", required=False, allow_null=True
    )
    humanTakeoverMinutes = StrictIntegerField(
        source="human_takeover_minutes",
        min_value=1,
        max_value=1440,
        required=False,
        allow_null=True,
    )
    transcribeAudio = StrictBooleanField(source="transcribe_audio", required=False)
    transcribeVideo = StrictBooleanField(source="transcribe_video", required=False)
    describeImages = StrictBooleanField(source="describe_images", required=False)
    readDocuments = StrictBooleanField(source="read_documents", required=False)
    assistantId = StrictUUIDField(
        source="assistant_id",
        required=False,
        allow_null=True,
        help_text="The organization's built-in assistant that answers this number; null: none.",
    )
    active = StrictBooleanField(source="is_active", required=False)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Waiting for the QR code to be scanned",
            response_only=True,
            value={
                "connectionStatus": "CONNECTING",
                "phoneNumber": "",
                "qrCode": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA…",
                "qrText": "2@y8k3JZsHq1XcR0p9…,Kq0f1Lx9…,Rj2vH8ZQ…",
                "pairingCode": "",
            },
        )
    ]
)
class ConnectionSerializer(serializers.Serializer):
    connectionStatus = StrictCharField()
    phoneNumber = StrictCharField()
    qrCode = StrictCharField(
        allow_blank=True, help_text="The QR code to scan, always an image data URI."
    )
    qrText = StrictCharField(
        allow_blank=True,
        help_text="The raw pairing string, when the gateway sent one instead of an image.",
    )
    pairingCode = StrictCharField(allow_blank=True)
