from django.urls import reverse
from rest_framework import serializers

from privacy.models import Erasure, ErasureSource, Export, ExportStatus
from privacy.services.erasure import REASON_MAX
from privacy.services.export import export_is_downloadable


class StrictCharField(serializers.CharField):
    """A string and nothing else: DRF's CharField would turn ``5`` into ``"5"``."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class EraseRequestSerializer(serializers.Serializer):
    reason = StrictCharField(
        max_length=REASON_MAX,
        help_text=(
            "Why the data is erased (e.g. the customer's request and its date). "
            "Kept in the erasure record: write no personal data here."
        ),
    )


class ErasureSerializer(serializers.ModelSerializer):
    contactId = serializers.UUIDField(source="contact_id", allow_null=True)
    source = serializers.ChoiceField(choices=ErasureSource.choices)
    requestedBy = serializers.CharField(source="requested_by")
    counts = serializers.DictField(
        child=serializers.IntegerField(min_value=0), help_text="Rows erased per table."
    )
    createdAt = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Erasure
        fields = ["id", "contactId", "source", "requestedBy", "reason", "counts", "createdAt"]
        read_only_fields = fields


class ExportSerializer(serializers.ModelSerializer):
    contactId = serializers.UUIDField(source="contact_id", allow_null=True)
    status = serializers.ChoiceField(choices=ExportStatus.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent done.")
    messagesCount = serializers.IntegerField(source="messages_count", min_value=0)
    mediaCount = serializers.IntegerField(source="media_count", min_value=0)
    size = serializers.IntegerField(allow_null=True, min_value=0, help_text="Bytes.")
    error = serializers.CharField()
    downloadUrl = serializers.SerializerMethodField(
        help_text="When READY, for 24 h: GET it with the same API key. Otherwise null."
    )
    createdAt = serializers.DateTimeField(source="created_at")
    finishedAt = serializers.DateTimeField(source="finished_at", allow_null=True)
    expiresAt = serializers.DateTimeField(source="expires_at", allow_null=True)

    class Meta:
        model = Export
        fields = [
            "id",
            "contactId",
            "status",
            "progress",
            "messagesCount",
            "mediaCount",
            "size",
            "error",
            "downloadUrl",
            "createdAt",
            "finishedAt",
            "expiresAt",
        ]
        read_only_fields = fields

    def get_downloadUrl(self, export) -> str | None:  # noqa: N802
        if not export_is_downloadable(export):
            return None
        path = reverse("export-download", args=[export.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
