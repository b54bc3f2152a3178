from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accounts.business_hours import MAX_HOLIDAYS, MAX_MESSAGE_CHARS, MAX_PERIODS
from accounts.models import Agent, Availability, Department
from core.schema import body_rules
from core.strict import StrictBooleanField, StrictCharField, StrictIntegerField, StrictUUIDField


class DepartmentSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active")
    autoAssign = serializers.BooleanField(source="auto_assign")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Department
        fields = ["id", "name", "description", "active", "autoAssign", "createdAt", "updatedAt"]
        read_only_fields = fields


class DepartmentWriteSerializer(serializers.Serializer):
    name = StrictCharField(max_length=120)
    description = StrictCharField(required=False, allow_blank=True, default="")
    active = StrictBooleanField(required=False, default=True, source="is_active")
    autoAssign = StrictBooleanField(
        required=False,
        default=False,
        source="auto_assign",
        help_text="Give conversations waiting for a person to the online agent with most room.",
    )


class CsatSettingsSerializer(serializers.Serializer):
    enabled = StrictBooleanField(
        source="csat_enabled", help_text="Send the survey when a session is closed."
    )
    question = StrictCharField(source="csat_question", max_length=500)
    thanks = StrictCharField(source="csat_thanks", max_length=500)


RETENTION_MAX_DAYS = 36500


class StrictDaysField(StrictIntegerField):
    """A whole number of days, or null: ``"30"``, ``30.0`` and ``true`` are refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", RETENTION_MAX_DAYS)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


class RetentionSerializer(serializers.Serializer):
    """Days after which content is erased; null keeps it (docs/PRIVACY.md)."""

    messagesDays = StrictDaysField(
        source="retention_messages_days",
        help_text="Message texts, captions, transcriptions and their media.",
    )
    mediaDays = StrictDaysField(
        source="retention_media_days", help_text="Media files only (may be shorter)."
    )
    closedSessionsDays = StrictDaysField(
        source="retention_closed_sessions_days",
        help_text="Everything said in a session, counted from when it was closed.",
    )


class CurrentOrganizationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    apiKeyName = serializers.CharField()
    csat = CsatSettingsSerializer()
    retention = RetentionSerializer()


@extend_schema_serializer(extensions=body_rules(minProperties=1))
class OrganizationUpdateSerializer(serializers.Serializer):
    """At least one section; a section given is whole."""

    csat = CsatSettingsSerializer(required=False)
    retention = RetentionSerializer(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("Give csat or retention."))
        return attrs


@extend_schema_serializer(extensions=body_rules(minProperties=1))
class OrganizationPatchSerializer(OrganizationUpdateSerializer):
    """At least one section; a section given changes the fields it gives."""

    csat = CsatSettingsSerializer(required=False, partial=True)
    retention = RetentionSerializer(required=False, partial=True)


class AgentSerializer(serializers.ModelSerializer):
    """An agent as ``accounts.selectors.agents_of`` reads them (``open_count`` annotated)."""

    name = serializers.CharField(help_text="Display name.")
    username = serializers.CharField(source="user.username")
    departmentIds = serializers.SerializerMethodField()
    availability = serializers.ChoiceField(choices=Availability.choices)
    maxConcurrentSessions = serializers.IntegerField(
        source="max_concurrent_sessions",
        allow_null=True,
        help_text="Most open conversations automatic assignment gives them; null: no limit.",
    )
    openSessions = serializers.IntegerField(source="open_count")
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = Agent
        fields = [
            "id",
            "name",
            "username",
            "departmentIds",
            "availability",
            "maxConcurrentSessions",
            "openSessions",
            "active",
        ]
        read_only_fields = fields

    def get_departmentIds(self, agent) -> list[str]:  # noqa: N802 (the API's camelCase)
        return sorted(str(d.pk) for d in agent.departments.all())


class AgentUpdateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=150, required=False)
    departmentIds = serializers.ListField(child=StrictUUIDField(), max_length=200, required=False)
    availability = serializers.ChoiceField(choices=Availability.choices, required=False)
    maxConcurrentSessions = StrictIntegerField(
        min_value=1, max_value=1000, allow_null=True, required=False
    )
    active = StrictBooleanField(required=False)


# What accounts.business_hours reads: 00:00 to 23:59, and 24:00 as a close.
_OPENS = RegexValidator(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_CLOSES = RegexValidator(r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")


class WeeklyPeriodSerializer(serializers.Serializer):
    weekday = StrictIntegerField(min_value=0, max_value=6, help_text="Monday 0 … Sunday 6.")
    open = StrictCharField(
        validators=[_OPENS], trim_whitespace=False, help_text="HH:MM, local time."
    )
    close = StrictCharField(
        validators=[_CLOSES],
        trim_whitespace=False,
        help_text="HH:MM after open, the same day (24:00: midnight).",
    )


class HolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = StrictCharField(max_length=120, required=False, allow_blank=True, default="")


class BusinessHoursWriteSerializer(serializers.Serializer):
    timezone = StrictCharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="IANA name; default: the organization's.",
    )
    weekly = serializers.ListField(
        child=WeeklyPeriodSerializer(), max_length=MAX_PERIODS, required=False, default=list
    )
    holidays = serializers.ListField(
        child=HolidaySerializer(), max_length=MAX_HOLIDAYS, required=False, default=list
    )
    outOfOfficeMessage = StrictCharField(
        max_length=MAX_MESSAGE_CHARS, required=False, allow_blank=True, default=""
    )
    enabled = StrictBooleanField(required=False, default=False)


class BusinessHoursSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    weekly = WeeklyPeriodSerializer(many=True)
    holidays = HolidaySerializer(many=True)
    outOfOfficeMessage = serializers.CharField(
        help_text="Sent once per closed period to a customer who writes while no AI answers."
    )
    enabled = serializers.BooleanField()
    inherited = serializers.BooleanField(
        help_text="A department without hours of its own follows its organization's."
    )
    open = serializers.BooleanField(help_text="Open now.")
    nextOpenAt = serializers.DateTimeField(
        allow_null=True, help_text="When it opens next, if closed."
    )
