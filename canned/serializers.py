from django.core.validators import RegexValidator
from rest_framework import serializers

from canned.models import CONTENT_MAX_LENGTH, SHORT_CODE_PATTERN, CannedResponse
from core.strict import StrictCharField, StrictUUIDField


class CannedResponseSerializer(serializers.ModelSerializer):
    shortCode = serializers.CharField(source="short_code")
    departmentId = serializers.UUIDField(source="department_id", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = CannedResponse
        fields = ["id", "shortCode", "content", "departmentId", "createdAt", "updatedAt"]
        read_only_fields = fields


class CannedResponseWriteSerializer(serializers.Serializer):
    shortCode = StrictCharField(
        validators=[RegexValidator(SHORT_CODE_PATTERN)],
        trim_whitespace=False,
        max_length=32,
        source="short_code",
        help_text="`[a-z0-9_-]{1,32}`",
    )
    content = StrictCharField(
        max_length=CONTENT_MAX_LENGTH,
        help_text="Up to 4,096 characters; variables: {{contact.name}}, {{contact.firstName}}, "
        "{{contact.phone}}, {{agent.name}}, {{organization.name}}, {{session.id}}.",
    )
    departmentId = StrictUUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Only this department's agents are offered it; null: everyone.",
    )


class CannedSearchSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=200)
