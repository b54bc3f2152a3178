"""What ``POST /messages`` accepts: text, media, a template or an interactive message.

The serializers check shapes and types; the rules of each kind (WhatsApp's
limits for buttons and lists, a template's parameters) live in
``messaging.outbound.rich``, shared by every sender.
"""

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from contacts.serializers import PhoneField
from core.errors import Unprocessable
from core.schema import body_rules
from core.strict import StrictBooleanField, StrictCharField, StrictUUIDField
from messaging.models import Author


class InteractiveButtonSerializer(serializers.Serializer):
    id = StrictCharField(max_length=256)
    title = StrictCharField(max_length=20)


class InteractiveRowSerializer(serializers.Serializer):
    id = StrictCharField(max_length=200)
    title = StrictCharField(max_length=24)
    description = StrictCharField(required=False, max_length=72)


class InteractiveSectionSerializer(serializers.Serializer):
    title = StrictCharField(required=False, max_length=24)
    rows = InteractiveRowSerializer(many=True, min_length=1, max_length=10)


class InteractiveListSerializer(serializers.Serializer):
    button = StrictCharField(max_length=20)
    sections = InteractiveSectionSerializer(many=True, min_length=1, max_length=10)


class InteractiveInputSerializer(serializers.Serializer):
    """Reply buttons (1-3) or a list (at most 10 rows in all): WhatsApp's limits."""

    kind = serializers.ChoiceField(choices=["buttons", "list"])
    body = StrictCharField(max_length=4096, help_text="At most 1,024 with buttons.")
    header = StrictCharField(required=False, max_length=60)
    footer = StrictCharField(required=False, max_length=60)
    buttons = InteractiveButtonSerializer(many=True, required=False, min_length=1, max_length=3)
    list = InteractiveListSerializer(required=False)


class TemplateButtonInputSerializer(serializers.Serializer):
    index = serializers.IntegerField(min_value=0, max_value=9)
    subType = serializers.ChoiceField(choices=["url", "quick_reply", "copy_code"])
    parameters = serializers.ListField(child=StrictCharField(), min_length=1, max_length=1)


class TemplateParametersInputSerializer(serializers.Serializer):
    header = serializers.DictField(
        required=False,
        allow_null=True,
        help_text='`{"text"}` for a text header\'s variable, `{"link", "filename"?}` for media.',
    )
    # Any JSON, null (no variables) included: the template's own variables
    # decide, and a shape that does not fit them is a 422 template_parameters.
    body = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="Positional templates: a list of strings; named ones: an object name → string.",
    )
    buttons = TemplateButtonInputSerializer(many=True, required=False)


class TemplateInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=512)
    language = StrictCharField(max_length=16)
    parameters = TemplateParametersInputSerializer(required=False)


class MediaInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    mimeType = StrictCharField(required=False, allow_blank=True, default="", max_length=120)
    name = StrictCharField(required=False, allow_blank=True, default="", max_length=255)
    type = serializers.ChoiceField(choices=["audio", "image", "video", "document"], required=False)


@extend_schema_field(InteractiveInputSerializer)
class InteractiveInputField(serializers.JSONField):
    """``content.interactive``: documented by InteractiveInputSerializer."""


class ContentInputSerializer(serializers.Serializer):
    text = StrictCharField(required=False, allow_blank=True, default="", max_length=65536)
    media = MediaInputSerializer(required=False)
    template = TemplateInputSerializer(required=False)
    # Checked against WhatsApp's limits by messaging.outbound.rich.interactive_check,
    # whose errors name the field (content.interactive.buttons[0].title).
    interactive = InteractiveInputField(required=False)


@extend_schema_field(ContentInputSerializer)
class JSONStringOrObject(serializers.Field):
    """``content`` as a JSON object, or as a JSON string inside a multipart form."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except (ValueError, RecursionError):
                raise serializers.ValidationError("Must be a JSON object.") from None
        serializer = ContentInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# Where a message goes: a session, or an instance with a contact or a phone;
# exactly one of the three.
_TARGETS = (("sessionId",), ("instanceId", "contactId"), ("instanceId", "phone"))


@extend_schema_serializer(
    extensions=body_rules(oneOf=[{"required": list(target)} for target in _TARGETS])
)
class MessageCreateSerializer(serializers.Serializer):
    """A JSON body. A TEXT message needs ``content.text`` and no media, a
    MEDIA or RECORDING one ``content.media`` (or a multipart upload, below), a
    TEMPLATE or INTERACTIVE one ``content.template`` / ``content.interactive``:
    a body that breaks that rule between fields is a 422."""

    sessionId = StrictUUIDField(required=False)
    contactId = StrictUUIDField(required=False)
    phone = PhoneField(required=False)
    instanceId = StrictUUIDField(required=False)
    author = serializers.ChoiceField(
        choices=[Author.AGENT, Author.AI, Author.AGENT_PLATFORM, Author.BUSINESS, Author.SYSTEM],
        default=Author.AGENT,
    )
    type = serializers.ChoiceField(
        choices=["TEXT", "MEDIA", "RECORDING", "TEMPLATE", "INTERACTIVE"], default="TEXT"
    )
    content = JSONStringOrObject(required=False)
    sendExternalMessage = StrictBooleanField(default=True)
    pauseSession = StrictBooleanField(default=False)
    externalId = StrictCharField(required=False, allow_blank=True, default="", max_length=200)
    idempotencyKey = StrictCharField(required=False, max_length=200)

    def validate(self, attrs):
        content = attrs.get("content") or {"text": ""}
        attrs["content"] = content
        given = [all(attrs.get(name) for name in target) for target in _TARGETS]
        if given.count(True) != 1:
            raise serializers.ValidationError(
                "Give sessionId, or instanceId with exactly one of contactId or phone."
            )
        kind = attrs["type"]
        has_media = bool(content.get("media") or attrs.get("file"))
        if content.get("interactive") is not None and kind != "INTERACTIVE":
            # Not sent, but given: it still keeps to its documented shape (an
            # INTERACTIVE message's is checked, with WhatsApp's limits, when sent).
            shape = InteractiveInputSerializer(data=content["interactive"])
            if not shape.is_valid():
                raise serializers.ValidationError({"content": {"interactive": shape.errors}})
        if kind in ("TEMPLATE", "INTERACTIVE"):
            wanted = kind.lower()
            if not content.get(wanted):
                detail = f"A {kind} message needs content.{wanted}."
                raise Unprocessable(
                    _("A %(kind)s message needs content.%(field)s.")
                    % {"kind": kind, "field": wanted},
                    details={"content": [detail]},
                )
            if has_media:
                raise Unprocessable(
                    _("Use MEDIA to send media."), details={"type": ["Use MEDIA to send media."]}
                )
        elif kind == "TEXT":
            if not content.get("text", "").strip():
                raise Unprocessable(
                    _("A TEXT message needs text."),
                    details={"content": ["A TEXT message needs text."]},
                )
            if has_media:
                raise Unprocessable(
                    _("Use MEDIA or RECORDING to send media."),
                    details={"type": ["Use MEDIA or RECORDING to send media."]},
                )
        elif not has_media:
            raise Unprocessable(
                _("A media message needs content.media.url or a file upload."),
                details={"content": ["A media message needs content.media.url or a file upload."]},
            )
        return attrs


@extend_schema_serializer(
    extensions=body_rules(
        properties={"type": {"type": "string", "enum": ["MEDIA", "RECORDING"]}},
        required=["sessionId", "file", "type"],
    )
)
class MessageUploadSerializer(MessageCreateSerializer):
    """The multipart body: a ``file`` (MEDIA or RECORDING) into a session,
    ``content`` as JSON text when a caption goes with it."""

    sessionId = StrictUUIDField()
    # An upload goes to a session: the other ways of naming one are JSON only.
    contactId = None
    phone = None
    instanceId = None
    file = serializers.FileField(help_text="The file to send.")
