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
