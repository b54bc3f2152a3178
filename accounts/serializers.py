from rest_framework import serializers

from accounts.models import Department


class DepartmentSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Department
        fields = ["id", "name", "description", "active", "createdAt", "updatedAt"]
        read_only_fields = fields


class DepartmentWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True, source="is_active")


RETENTION_MAX_DAYS = 36500


class StrictDaysField(serializers.IntegerField):
    """A whole number of days, or null: ``"30"``, ``30.0`` and ``true`` are refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", RETENTION_MAX_DAYS)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


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
    retention = RetentionSerializer()


class OrganizationUpdateSerializer(serializers.Serializer):
    retention = RetentionSerializer()
