"""THE message representation of the API (falecomigo shape plus our details).

by-contact, ``/messages`` and ``/sessions/{id}/messages`` all use
MessageSerializer, so an integrator parses one shape everywhere.
"""

import mimetypes
from pathlib import PurePosixPath

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from contacts.serializers import ContactFalecomigoSerializer
from core.schema import body_rules
from core.strict import StrictCharField, StrictIntegerField, StrictUUIDField
from messaging.media.urls import absolute_url, media_api_path
from messaging.models import Author, DeliveryStatus, Direction, Message, MessageKind
from sessions_app.serializers import NamedRefSerializer, SessionSerializer

# falecomigo's coarse type; ``kind`` keeps the detail.
FALECOMIGO_TYPE = {
    MessageKind.VOICE: "RECORDING",
    MessageKind.COMMAND: "CHAT_COMMAND",
    MessageKind.IMAGE: "MEDIA",
    MessageKind.STICKER: "MEDIA",
    MessageKind.AUDIO: "MEDIA",
    MessageKind.VIDEO: "MEDIA",
    MessageKind.DOCUMENT: "MEDIA",
    MessageKind.TEMPLATE: "TEMPLATE",
    MessageKind.INTERACTIVE: "INTERACTIVE",
}
MESSAGE_TYPES = ["TEXT", "MEDIA", "RECORDING", "CHAT_COMMAND", "TEMPLATE", "INTERACTIVE"]
MEDIA_TYPE = {
    MessageKind.IMAGE: "image",
    MessageKind.STICKER: "image",
    MessageKind.AUDIO: "audio",
    MessageKind.VOICE: "audio",
    MessageKind.VIDEO: "video",
    MessageKind.DOCUMENT: "document",
}
DIRECTION = {Direction.INBOUND: "IN", Direction.OUTBOUND: "OUT"}
# The extensions WhatsApp itself uses; the mimetypes module would say
# ".oga" for a voice note and depends on the host's mime.types.
EXTENSIONS = {
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/amr": "amr",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/3gpp": "3gp",
    "application/pdf": "pdf",
}


class MediaContentSerializer(serializers.Serializer):
    url = StrictCharField(allow_null=True)
    name = StrictCharField(allow_null=True)
    type = serializers.ChoiceField(choices=["audio", "image", "video", "document"])
    duration = serializers.FloatField(allow_null=True)
    mimeType = StrictCharField(allow_null=True)
    extension = StrictCharField(allow_null=True)


class ReplySerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    toMessageId = serializers.UUIDField(allow_null=True)


class ContentSerializer(serializers.Serializer):
    """``{text}`` for text; ``{media}`` (+ ``text`` when there is a caption) for media;
    a template's or an interactive message's text plus ``template`` / ``interactive``."""

    text = StrictCharField(required=False)
    media = MediaContentSerializer(required=False)
    template = serializers.DictField(required=False)
    interactive = serializers.DictField(required=False)


class MessageSerializer(serializers.ModelSerializer):
    sessionId = StrictUUIDField(source="session_id")
    contactId = StrictUUIDField(source="contact_id")
    instanceId = StrictUUIDField(source="instance_id")
    type = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=MessageKind.choices)
    direction = serializers.SerializerMethodField()
    author = serializers.ChoiceField(choices=Author.choices)
    content = serializers.SerializerMethodField()
    status = serializers.ChoiceField(source="delivery_status", choices=DeliveryStatus.choices)
    error = StrictCharField(source="delivery_error")
    errorCode = StrictCharField(source="delivery_error_code", allow_null=True)
    errorTitle = StrictCharField(source="delivery_error_title", allow_null=True)
    reply = serializers.SerializerMethodField()
    transcription = StrictCharField()
    transcriptionStatus = StrictCharField(source="transcription_status", allow_null=True)
    externalId = StrictCharField(source="external_id")
    providerMessageId = StrictCharField(source="provider_message_id", allow_null=True)
    sendExternalMessage = serializers.BooleanField(source="send_external")
    payload = serializers.DictField()
    sentAt = serializers.DateTimeField(source="sent_at", allow_null=True)
    deliveredAt = serializers.DateTimeField(source="delivered_at", allow_null=True)
    readAt = serializers.DateTimeField(source="read_at", allow_null=True)
    edited = serializers.BooleanField(source="is_edited")
    editedAt = serializers.DateTimeField(source="edited_at", allow_null=True)
    deleted = serializers.BooleanField(source="is_deleted")
    deletedAt = serializers.DateTimeField(source="deleted_at", allow_null=True)
    deletedBy = serializers.ChoiceField(
        source="deleted_by", choices=[Author.CUSTOMER, Author.BUSINESS], allow_null=True
    )
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Message
        fields = [
            "id",
            "sessionId",
            "contactId",
            "instanceId",
            "type",
            "kind",
            "direction",
            "author",
            "content",
            "status",
            "error",
            "errorCode",
            "errorTitle",
            "reply",
            "transcription",
            "transcriptionStatus",
            "externalId",
            "providerMessageId",
            "sendExternalMessage",
            "payload",
            "sentAt",
            "deliveredAt",
            "readAt",
            "edited",
            "editedAt",
            "deleted",
            "deletedAt",
            "deletedBy",
            "createdAt",
            "updatedAt",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=MESSAGE_TYPES))
    def get_type(self, message: Message) -> str:
        return FALECOMIGO_TYPE.get(message.kind, "TEXT")

    @extend_schema_field(serializers.ChoiceField(choices=["IN", "OUT"]))
    def get_direction(self, message: Message) -> str:
        return DIRECTION.get(message.direction, "IN")

    @extend_schema_field(ReplySerializer(allow_null=True))
    def get_reply(self, message: Message) -> dict | None:
        reply = (message.payload or {}).get("reply")
        return reply if isinstance(reply, dict) else None

    @extend_schema_field(ContentSerializer)
    def get_content(self, message: Message) -> dict:
        payload = message.payload or {}
        if message.kind == MessageKind.TEMPLATE and "template" in payload:
            return {"text": message.text, "template": payload["template"]}
        if message.kind == MessageKind.INTERACTIVE and "interactive" in payload:
            return {"text": message.text, "interactive": payload["interactive"]}
        if message.kind not in MEDIA_TYPE:
            return {"text": message.text}
        content = {"media": self._media(message)}
        if message.text:
            content["text"] = message.text
        return content

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["transcriptionStatus"] = instance.transcription_status or None
        data["deletedBy"] = instance.deleted_by or None
        data["errorCode"] = instance.delivery_error_code or None
        data["errorTitle"] = instance.delivery_error_title or None
        if instance.deleted_at is not None:
            # Deleted for everyone by its sender: what it said is no longer
            # shown (the content is erased after DELETED_MESSAGE_RETENTION_DAYS).
            data.update(content={"text": ""}, transcription="", payload={}, reply=None)
        return data

    def _media(self, message: Message) -> dict:
        url = None
        if message.media_file:
            # Served by the API (the caller's key), never as a public file.
            url = absolute_url(media_api_path(message), self.context.get("request"))
        elif isinstance(message.media_ref, dict):
            url = message.media_ref.get("url") or None
        name = message.media_filename or None
        extension = None
        if name and PurePosixPath(name).suffix:
            extension = PurePosixPath(name).suffix.lstrip(".").lower()
        elif message.media_mimetype:
            mimetype = message.media_mimetype.split(";")[0].strip().lower()
            guessed = mimetypes.guess_extension(mimetype)
            extension = EXTENSIONS.get(mimetype) or (guessed.lstrip(".") if guessed else None)
        return {
            "url": url,
            "name": name,
            "type": MEDIA_TYPE[message.kind],
            "duration": message.media_duration,
            "mimeType": message.media_mimetype or None,
            "extension": extension,
        }


# --- Sessions seen as conversations (sessions + their messages) -----------
# They live here, not in sessions_app, because messaging sits above sessions.


@extend_schema_serializer(
    extensions=body_rules(
        properties={
            "messages": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Message"},
                "description": "Only with includeMessages=true.",
            }
        }
    )
)
class SessionWithMessagesSerializer(SessionSerializer):
    """``GET /sessions/{id}?includeMessages=true``: the last messages, oldest
    first. ``messages`` is there only when asked for, so the schema lists it
    without requiring it."""

    def get_messages(self, session):
        messages = self.context.get("messages")
        if messages is None:
            return []
        return MessageSerializer(messages, many=True, context=self.context).data

    def to_representation(self, session):
        return {**super().to_representation(session), "messages": self.get_messages(session)}


class ProviderSlugSerializer(serializers.Serializer):
    slug = StrictCharField()


class FalecomigoIntegrationSerializer(serializers.Serializer):
    id = StrictUUIDField()
    name = StrictCharField()
    provider = ProviderSlugSerializer()


class SessionFalecomigoSerializer(SessionSerializer):
    """A session inside ``by-contact``: falecomigo's ``integration`` and last messages."""

    integrationId = StrictUUIDField(source="instance_id")
    integration = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "integrationId", "integration", "messages"]
        read_only_fields = fields

    @extend_schema_field(FalecomigoIntegrationSerializer)
    def get_integration(self, session):
        instance = session.instance
        return {"id": instance.id, "name": instance.name, "provider": {"slug": instance.provider}}

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, session):
        return MessageSerializer(session.latest_messages, many=True, context=self.context).data

    def to_representation(self, session):
        return {
            **super().to_representation(session),
            "integrationId": str(session.instance_id),
            "integration": self.get_integration(session),
            "messages": self.get_messages(session),
        }


class PaginationSerializer(serializers.Serializer):
    total_data = StrictIntegerField()
    total_pages = StrictIntegerField()
    page = StrictIntegerField()
    limit = StrictIntegerField()
    has_next_page = serializers.BooleanField()
    has_previous_page = serializers.BooleanField()


class ByContactSerializer(serializers.Serializer):
    """The falecomigo ``GET /sessions/by-contact/{contactId}`` document (schema only)."""

    contact = ContactFalecomigoSerializer()
    sessions = SessionFalecomigoSerializer(many=True)
    allMessages = MessageSerializer(many=True)
    isLastSessionClosed = serializers.BooleanField()
    lastSessionId = StrictUUIDField(allow_null=True)
    lastSessionStatus = StrictCharField(allow_null=True)
    lastSessionAssignedDepartment = NamedRefSerializer(allow_null=True)
    pagination = PaginationSerializer()
