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


class CsatSettingsSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(
        source="csat_enabled", help_text="Send the survey when a session is closed."
    )
    question = serializers.CharField(source="csat_question", max_length=500)
    thanks = serializers.CharField(source="csat_thanks", max_length=500)


class CurrentOrganizationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    apiKeyName = serializers.CharField()
    csat = CsatSettingsSerializer()


class OrganizationUpdateSerializer(serializers.Serializer):
    csat = CsatSettingsSerializer()
