from rest_framework import serializers

from privacy.models import Erasure, ErasureSource
from privacy.services.erasure import REASON_MAX


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
