"""The API's session representations (camelCase, UPPERCASE enums)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.serializers import TabulationBriefSerializer
from sessions_app.models import ChatSession, SessionStatus, StartedBy
from sessions_app.payloads import SESSION_API_KEYS, session_payload


class NamedRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class SessionContactSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    phone = serializers.CharField(allow_null=True)


class SessionInstanceSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    provider = serializers.CharField()


class SessionCsatSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(allow_blank=True)
    answeredAt = serializers.DateTimeField()


@extend_schema_field(SessionCsatSerializer(allow_null=True))
class CsatField(serializers.ReadOnlyField):
    """The satisfaction rating, or null until the customer answered the survey."""


class BusinessHoursStateSerializer(serializers.Serializer):
    open = serializers.BooleanField(help_text="Whether the team is in now (business hours).")
    nextOpenAt = serializers.DateTimeField(
        allow_null=True, help_text="When it opens next, if it is closed (null when open)."
    )


@extend_schema_field(NamedRefSerializer(allow_null=True))
class NamedRefField(serializers.ReadOnlyField):
    """An ``{id, name}`` or null in the schema; session_payload writes the value."""


# The fields declare the shape for the OpenAPI schema; the values come from
# sessions_app.payloads.session_payload, the builder the events use too.
class SessionSerializer(serializers.ModelSerializer):
    """Reads the joins prepared by sessions_app.selectors.session_list."""

    contactId = serializers.UUIDField(source="contact_id")
    instanceId = serializers.UUIDField(source="instance_id")
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    startedBy = serializers.ChoiceField(source="started_by", choices=StartedBy.choices)
    statusReason = serializers.CharField(source="status_reason")
    endReason = serializers.CharField(source="end_reason")
    externalId = serializers.CharField(source="external_id")
    assignedDepartmentId = serializers.UUIDField(source="assigned_department_id", allow_null=True)
    assignedAgentId = serializers.UUIDField(source="assigned_agent_id", allow_null=True)
    assignedCustomerId = serializers.CharField(source="assigned_customer_id")
    assignedDepartment = NamedRefField()
    assignedAgent = NamedRefField()
    concatTimeout = serializers.IntegerField(source="concat_timeout")
    aiBlocked = serializers.BooleanField(read_only=True)
    aiBlockedUntil = serializers.DateTimeField(source="ai_blocked_until", allow_null=True)
    aiBlockReason = serializers.CharField(source="ai_block_reason")
    aiBlockedBy = serializers.CharField(source="ai_blocked_by")
    businessHours = BusinessHoursStateSerializer(read_only=True)
    pausedUntil = serializers.DateTimeField(source="paused_until", allow_null=True)
    pausedBy = serializers.CharField(source="paused_by")
    lastCustomerMessageAt = serializers.DateTimeField(
        source="last_customer_message_at", allow_null=True
    )
    whatsappWindowExpiresAt = serializers.DateTimeField(
        source="whatsapp_window_expires_at", allow_null=True
    )
    contact = SessionContactSerializer()
    instance = SessionInstanceSerializer()
    tabulations = TabulationBriefSerializer(many=True, read_only=True)
    csat = CsatField()
    startedAt = serializers.DateTimeField(source="started_at")
    closedAt = serializers.DateTimeField(source="closed_at", allow_null=True)
    lastMessageAt = serializers.DateTimeField(source="last_message_at", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = ChatSession
        # The builder's keys, in its order: one list for the schema and the values.
        fields = list(SESSION_API_KEYS)
        read_only_fields = fields

    def to_representation(self, session):
        return session_payload(session, now=self.context.get("now"))


class SessionCreateSerializer(serializers.Serializer):
    contactId = serializers.UUIDField(required=False)
    phone = serializers.CharField(required=False, max_length=40)
    instanceId = serializers.UUIDField()
    externalId = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    startedBy = serializers.ChoiceField(
        choices=StartedBy.choices, required=False, default=StartedBy.BUSINESS
    )
    assignedDepartmentId = serializers.UUIDField(required=False, allow_null=True)
    assignedAgentId = serializers.UUIDField(required=False, allow_null=True)

    def validate(self, attrs):
        if bool(attrs.get("contactId")) == bool(attrs.get("phone")):
            raise serializers.ValidationError("Give exactly one of contactId or phone.")
        return attrs


class BlockAiSerializer(serializers.Serializer):
    durationMinutes = serializers.IntegerField(min_value=1, max_value=1440)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class CloseSerializer(serializers.Serializer):
    endReason = serializers.CharField(max_length=500)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    statusReason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500
    )


class AssignSerializer(serializers.Serializer):
    departmentId = serializers.UUIDField(required=False, allow_null=True)
    agentId = serializers.UUIDField(required=False, allow_null=True)
    force = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Assign the agent even when at maxConcurrentSessions (else 409).",
    )


class AiStatusSerializer(serializers.Serializer):
    blocked = serializers.BooleanField()
    blockedUntil = serializers.DateTimeField(allow_null=True)
    remainingSeconds = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True, allow_null=True)
    blockedBy = serializers.CharField(allow_blank=True, allow_null=True)
    wouldDispatch = serializers.BooleanField()
    notDispatchedReason = serializers.CharField(allow_blank=True, allow_null=True)
