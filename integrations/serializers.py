from rest_framework import serializers

from core.strict import StrictBooleanField, StrictCharField, StrictIntegerField, StrictUUIDField
from integrations.models import Delivery, DeliveryAttempt, DeliveryStatus, Event, Integration


class IntegrationSerializer(serializers.ModelSerializer):
    """The secret is write-only: it signs deliveries and is never read back."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices))
    active = serializers.BooleanField(source="is_active")
    timeoutSeconds = StrictIntegerField(source="timeout_seconds")
    hasSecret = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Integration
        fields = [
            "id",
            "name",
            "url",
            "events",
            "active",
            "timeoutSeconds",
            "hasSecret",
            "createdAt",
            "updatedAt",
        ]
        read_only_fields = fields

    def get_hasSecret(self, integration) -> bool:  # noqa: N802
        return bool(integration.secret)


class IntegrationWithNewSecretSerializer(IntegrationSerializer):
    """The answer that generated a secret: the only time it is shown."""

    secret = StrictCharField()

    class Meta(IntegrationSerializer.Meta):
        fields = [*IntegrationSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class IntegrationWriteSerializer(serializers.Serializer):
    name = StrictCharField(max_length=120)
    url = serializers.URLField(max_length=1000)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices), min_length=1, max_length=20
    )
    secret = StrictCharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=(
            "Signs every delivery (HMAC-SHA256). Omitted (or blank on an update): generated, "
            "and returned once as `secret` in that response; otherwise never returned."
        ),
    )
    active = StrictBooleanField(required=False, default=True, source="is_active")
    timeoutSeconds = StrictIntegerField(
        required=False, min_value=1, max_value=60, source="timeout_seconds"
    )


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    statusCode = StrictIntegerField(source="status_code", allow_null=True)
    latencyMs = StrictIntegerField(source="latency_ms", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")

    class Meta:
        model = DeliveryAttempt
        fields = ["id", "number", "statusCode", "latencyMs", "error", "createdAt"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """Reads ``attempts`` prefetched by integrations.selectors.delivery_list."""

    integrationId = StrictUUIDField(source="integration_id")
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attemptsCount = StrictIntegerField(source="attempts_count")
    lastStatusCode = StrictIntegerField(source="last_status_code", allow_null=True)
    lastError = StrictCharField(source="last_error")
    nextAttemptAt = serializers.DateTimeField(source="next_attempt_at", allow_null=True)
    deliveredAt = serializers.DateTimeField(source="delivered_at", allow_null=True)
    turnId = StrictUUIDField(source="turn_id", allow_null=True)
    payload = serializers.JSONField()
    attempts = DeliveryAttemptSerializer(many=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "integrationId",
            "event",
            "status",
            "attemptsCount",
            "lastStatusCode",
            "lastError",
            "nextAttemptAt",
            "deliveredAt",
            "turnId",
            "payload",
            "attempts",
            "createdAt",
            "updatedAt",
        ]
        read_only_fields = fields
