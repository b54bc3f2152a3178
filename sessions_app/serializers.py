"""The API's session representations (camelCase, UPPERCASE enums)."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from contacts.serializers import PhoneField, TabulationBriefSerializer
from core.schema import NOT_BLANK, body_rules
from core.strict import StrictBooleanField, StrictCharField, StrictIntegerField, StrictUUIDField
from sessions_app.models import ChatSession, SessionStatus, StartedBy
from sessions_app.payloads import SESSION_API_KEYS, session_payload


class NamedRefSerializer(serializers.Serializer):
    id = StrictUUIDField()
    name = StrictCharField()


class SessionContactSerializer(serializers.Serializer):
    id = StrictUUIDField()
    name = StrictCharField()
    phone = StrictCharField(allow_null=True)


class SessionInstanceSerializer(serializers.Serializer):
    id = StrictUUIDField()
    name = StrictCharField()
    provider = StrictCharField()


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

    contactId = StrictUUIDField(source="contact_id")
    instanceId = StrictUUIDField(source="instance_id")
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    startedBy = serializers.ChoiceField(source="started_by", choices=StartedBy.choices)
    statusReason = StrictCharField(source="status_reason")
    endReason = StrictCharField(source="end_reason")
    externalId = StrictCharField(source="external_id")
    assignedDepartmentId = StrictUUIDField(source="assigned_department_id", allow_null=True)
    assignedAgentId = StrictUUIDField(source="assigned_agent_id", allow_null=True)
    assignedCustomerId = StrictCharField(source="assigned_customer_id")
    assignedDepartment = NamedRefField()
    assignedAgent = NamedRefField()
    concatTimeout = StrictIntegerField(source="concat_timeout")
    aiBlocked = serializers.BooleanField(read_only=True)
    aiBlockedUntil = serializers.DateTimeField(source="ai_blocked_until", allow_null=True)
    aiBlockReason = StrictCharField(source="ai_block_reason")
    aiBlockedBy = StrictCharField(source="ai_blocked_by")
    businessHours = BusinessHoursStateSerializer(read_only=True)
    pausedUntil = serializers.DateTimeField(source="paused_until", allow_null=True)
    pausedBy = StrictCharField(source="paused_by")
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


@extend_schema_serializer(
    extensions=body_rules(oneOf=[{"required": ["contactId"]}, {"required": ["phone"]}])
)
class SessionCreateSerializer(serializers.Serializer):
    """``contactId`` or ``phone``, exactly one (the schema's ``oneOf``)."""

    contactId = StrictUUIDField(required=False)
    phone = PhoneField(required=False)
    instanceId = StrictUUIDField()
    externalId = StrictCharField(required=False, allow_blank=True, default="", max_length=200)
    startedBy = serializers.ChoiceField(
        choices=StartedBy.choices, required=False, default=StartedBy.BUSINESS
    )
    assignedDepartmentId = StrictUUIDField(required=False, allow_null=True)
    assignedAgentId = StrictUUIDField(required=False, allow_null=True)

    def validate(self, attrs):
        if bool(attrs.get("contactId")) == bool(attrs.get("phone")):
            raise serializers.ValidationError("Give exactly one of contactId or phone.")
        return attrs


class BlockAiSerializer(serializers.Serializer):
    durationMinutes = StrictIntegerField(min_value=1, max_value=1440)
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=500)


class CloseSerializer(serializers.Serializer):
    endReason = StrictCharField(max_length=500)


@extend_schema_serializer(
    extensions=body_rules(
        anyOf=[
            {
                "properties": {
                    "status": {"enum": [s for s in SessionStatus.values if s != "CLOSED"]}
                }
            },
            {"required": ["statusReason"], "properties": {"statusReason": {"pattern": NOT_BLANK}}},
        ]
    )
)
class StatusChangeSerializer(serializers.Serializer):
    """CLOSED needs a ``statusReason`` (it becomes the endReason)."""

    patch_is_partial = False  # the schema's PATCH body requires status

    status = serializers.ChoiceField(choices=SessionStatus.choices)
    statusReason = StrictCharField(required=False, allow_blank=True, default="", max_length=500)


@extend_schema_serializer(
    extensions=body_rules(
        anyOf=[
            {"required": [name], "properties": {name: {"type": "string"}}}
            for name in ("departmentId", "agentId")
        ]
    )
)
class AssignSerializer(serializers.Serializer):
    """A department, an agent or both (a null leaves that side unchanged)."""

    departmentId = StrictUUIDField(required=False, allow_null=True)
    agentId = StrictUUIDField(required=False, allow_null=True)
    force = StrictBooleanField(
        required=False,
        default=False,
        help_text="Assign the agent even when at maxConcurrentSessions (else 409).",
    )


class AiStatusSerializer(serializers.Serializer):
    blocked = serializers.BooleanField()
    blockedUntil = serializers.DateTimeField(allow_null=True)
    remainingSeconds = StrictIntegerField()
    reason = StrictCharField(allow_blank=True, allow_null=True)
    blockedBy = StrictCharField(allow_blank=True, allow_null=True)
    wouldDispatch = serializers.BooleanField()
    notDispatchedReason = StrictCharField(allow_blank=True, allow_null=True)
