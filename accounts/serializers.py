from rest_framework import serializers

from accounts.models import Department
from core.strict import StrictBooleanField, StrictCharField


class DepartmentSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Department
        fields = ["id", "name", "description", "active", "createdAt", "updatedAt"]
        read_only_fields = fields


class DepartmentWriteSerializer(serializers.Serializer):
    name = StrictCharField(max_length=120)
    description = StrictCharField(required=False, allow_blank=True, default="")
    active = StrictBooleanField(required=False, default=True, source="is_active")
