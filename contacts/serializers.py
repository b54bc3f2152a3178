"""The API's contact and tabulation representations (camelCase)."""

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.models import Contact, ContactTabulation, Tabulation
from core.strict import StrictBooleanField, StrictCharField, StrictUUIDField

HEX_COLOR = r"^#[0-9A-Fa-f]{6}$"
# A phone number as people write it: an optional +, 8 to 15 digits, and
# spaces, parentheses, dots or dashes between them. The shape is a 400; a
# number of that shape that no country has is a 422 (contact_phone_normalize).
PHONE_PATTERN = r"^\+?[ ().-]*(?:[0-9][ ().-]*){8,15}$"


class PhoneField(StrictCharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.validators.append(
            RegexValidator(PHONE_PATTERN, message="Must be a phone number: + and 8-15 digits.")
        )


class TabulationSerializer(serializers.ModelSerializer):
    backgroundColor = StrictCharField(source="background_color")
    autoTabulation = serializers.BooleanField(source="auto_tabulation")
    active = serializers.BooleanField(source="is_active")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Tabulation
        fields = [
            "id",
            "name",
            "description",
            "backgroundColor",
            "autoTabulation",
            "active",
            "createdAt",
            "updatedAt",
        ]
        read_only_fields = fields


class TabulationWriteSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)
    description = StrictCharField(required=False, allow_blank=True, default="")
    backgroundColor = serializers.RegexField(
        HEX_COLOR, required=False, default="#ffffff", source="background_color"
    )
    autoTabulation = StrictBooleanField(required=False, default=False, source="auto_tabulation")
    active = StrictBooleanField(required=False, default=True, source="is_active")


class TabulationBriefSerializer(serializers.Serializer):
    """How a tag appears inside contacts and sessions."""

    id = StrictUUIDField()
    name = StrictCharField()
    backgroundColor = StrictCharField(source="background_color")


class ContactTabulationTagSerializer(serializers.Serializer):
    id = StrictUUIDField()
    name = StrictCharField()
    backgroundColor = StrictCharField(source="background_color")
    description = StrictCharField()
    autoTabulation = serializers.BooleanField(source="auto_tabulation")


class ContactTabulationSerializer(serializers.ModelSerializer):
    """falecomigo's ``ContactTabulation`` entry."""

    contactId = StrictUUIDField(source="contact_id")
    tabulationId = StrictUUIDField(source="tabulation_id")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")
    tabulation = ContactTabulationTagSerializer()

    class Meta:
        model = ContactTabulation
        fields = ["id", "contactId", "tabulationId", "createdAt", "updatedAt", "tabulation"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer):
    """Reads ``contact_tabulations`` prefetched by contacts.selectors."""

    phone = StrictCharField(allow_null=True)
    # Plain string on the way out: an empty email is "" (not a malformed address).
    email = StrictCharField()
    externalId = StrictCharField(source="external_id")
    bypassBots = serializers.BooleanField(source="bypass_bots")
    source = StrictUUIDField(source="source_instance_id", allow_null=True)
    profilePictureUrl = StrictCharField(source="profile_picture_url")
    tabulations = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Contact
        fields = [
            "id",
            "name",
            "phone",
            "email",
            "externalId",
            "bypassBots",
            "source",
            "profilePictureUrl",
            "tabulations",
            "createdAt",
            "updatedAt",
        ]
        read_only_fields = fields

    @extend_schema_field(TabulationBriefSerializer(many=True))
    def get_tabulations(self, contact):
        return TabulationBriefSerializer(
            [link.tabulation for link in contact.contact_tabulations.all()], many=True
        ).data


class ContactFalecomigoSerializer(ContactSerializer):
    """The contact of ``GET /sessions/by-contact``: adds falecomigo's ``ContactTabulation``."""

    organizationId = StrictUUIDField(source="organization_id")
    ContactTabulation = ContactTabulationSerializer(source="contact_tabulations", many=True)

    class Meta(ContactSerializer.Meta):
        fields = [*ContactSerializer.Meta.fields, "organizationId", "ContactTabulation"]
        read_only_fields = fields


class ContactCreateSerializer(serializers.Serializer):
    phone = PhoneField()
    name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    externalId = StrictCharField(
        max_length=200, required=False, allow_blank=True, default="", source="external_id"
    )
    bypassBots = StrictBooleanField(required=False, default=False, source="bypass_bots")


class ContactUpdateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    externalId = StrictCharField(
        max_length=200, required=False, allow_blank=True, source="external_id"
    )
    bypassBots = StrictBooleanField(required=False, source="bypass_bots")


class TabulationIdsSerializer(serializers.Serializer):
    tabulationIds = serializers.ListField(child=StrictUUIDField(), min_length=1, max_length=100)
