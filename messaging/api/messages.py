"""Messages for integrators: list, read, send, and a message's stored media.

``POST /messages`` validates, resolves the session (starting a
business-initiated one when asked) and calls
``messaging.outbound.services.message_create_outbound``, which owns every
sending rule (AI blocking, takeover, 24 h window, idempotency).
"""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from contacts.models import Contact
from contacts.services import contact_get_or_create_for_phone
from core.api import LimitedJSONParser, get_referenced, get_scoped_or_404
from core.errors import DomainError, NotFound
from core.schema import links
from messaging import selectors
from messaging.api.inputs import MessageCreateSerializer, MessageUploadSerializer
from messaging.api.serializers import (
    FALECOMIGO_TYPE,
    MEDIA_TYPE,
    MESSAGE_TYPES,
    MessageSerializer,
)
from messaging.media.files import stored_media_response
from messaging.models import (
    Author,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    kind_for_mimetype,
)
from messaging.outbound import services as messaging_services
from messaging.outbound.rich import (
    RichContent,
    interactive_check,
    interactive_prepare,
    template_prepare,
)
from providers.models import Instance
from sessions_app.api import api_actor
from sessions_app.models import ChatSession, StartedBy
from sessions_app.services.lifecycle import session_open_for_inbound

MESSAGE_EXAMPLE = OpenApiExample(
    "Message",
    value={
        "id": "c2a4e6f8-0b1d-4c3e-9f5a-7b9d1e3f5a7c",
        "sessionId": "9a3f4a0e-1c2b-4d5e-8f70-112233445566",
        "contactId": "5f0c7c1e-8a43-4f0e-9a57-2b0d2c1f7a10",
        "instanceId": "7e2d1c0b-9a8f-4e6d-b5c4-a3b2c1d0e9f8",
        "type": "RECORDING",
        "kind": "voice",
        "direction": "IN",
        "author": "CUSTOMER",
        "content": {
            "media": {
                "url": "https://atende.example.com/media/voice.ogg",
                "name": "voice.ogg",
                "type": "audio",
                "duration": 4.2,
                "mimeType": "audio/ogg",
                "extension": "ogg",
            }
        },
        "status": "DELIVERED",
        "error": "",
        "errorCode": None,
        "errorTitle": None,
        "reply": None,
        "transcription": "Oi, quero saber do meu pedido",
        "transcriptionStatus": "DONE",
        "externalId": "",
        "providerMessageId": "3EB0C767D26A1D",
        "sendExternalMessage": True,
        "payload": {},
        "sentAt": None,
        "deliveredAt": None,
        "readAt": None,
        "createdAt": "2026-01-05T12:00:00Z",
        "updatedAt": "2026-01-05T12:00:05Z",
    },
    response_only=True,
)


# Derived from the serializer's tables, so the filter and the output agree.
# TEXT is everything neither media nor a command (see filter_type).
FALECOMIGO_TYPES = {
    falecomigo: [kind for kind, mapped in FALECOMIGO_TYPE.items() if mapped == falecomigo]
    for falecomigo in MESSAGE_TYPES
    if falecomigo != "TEXT"
}


MEDIA_TYPE_KIND = {
    media_type: kind
    for kind, media_type in MEDIA_TYPE.items()
    # The plain kind of each media type (a sticker is an image; voice, audio).
    if kind not in (MessageKind.STICKER, MessageKind.VOICE)
}


class MessageFilter(django_filters.FilterSet):
    sessionId = django_filters.UUIDFilter(field_name="session_id")
    contactId = django_filters.UUIDFilter(field_name="contact_id")
    author = django_filters.ChoiceFilter(choices=Author.choices)
    direction = django_filters.ChoiceFilter(
        choices=[("IN", "IN"), ("OUT", "OUT"), *Direction.choices], method="filter_direction"
    )
    type = django_filters.ChoiceFilter(
        choices=[(t, t) for t in MESSAGE_TYPES], method="filter_type"
    )
    kind = django_filters.ChoiceFilter(choices=MessageKind.choices)
    status = django_filters.ChoiceFilter(
        field_name="delivery_status", choices=DeliveryStatus.choices
    )
    createdFrom = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    createdTo = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = Message
        fields: list[str] = []

    def filter_direction(self, queryset, name, value):
        direction = {"IN": Direction.INBOUND, "OUT": Direction.OUTBOUND}.get(value, value)
        return queryset.filter(direction=direction)

    def filter_type(self, queryset, name, value):
        if value == "TEXT":
            # Everything that is neither media nor a command reads as TEXT.
            return queryset.exclude(kind__in=list(FALECOMIGO_TYPE))
        return queryset.filter(kind__in=FALECOMIGO_TYPES[value])


class MessageListCreateView(generics.ListAPIView):
    queryset = Message.objects.none()
    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    # JSON, or multipart when a file is uploaded (MessageUploadSerializer).
    parser_classes = [LimitedJSONParser, MultiPartParser]

    def get_queryset(self):
        return selectors.message_list(organization=request_organization(self.request))

    @extend_schema(summary="List messages", examples=[MESSAGE_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Send (or record) a message",
        extensions=links(
            201,
            {"message_id": "$response.body#/id"},
            # Not /media: a message without a file answers 404 there, as documented.
            "GET /api/v1/messages/{message_id}",
        ),
        description=(
            "`sendExternalMessage: false` records without sending. The same `idempotencyKey` "
            "again returns the first message with 200 and sends nothing. An AI reply is "
            "refused with 409 (`ai_blocked`, `session_paused`, `session_closed`, "
            "`bypass_bots`) and nothing is stored as sent."
        ),
        request={
            "application/json": MessageCreateSerializer,
            "multipart/form-data": MessageUploadSerializer,
        },
        responses={
            201: MessageSerializer,
            200: MessageSerializer,
            422: OpenApiResponse(
                description=(
                    "A TEMPLATE refused: `template_not_found`, `template_not_approved`, "
                    "`template_parameters` (`details.expected`), or `unsupported_by_gateway` "
                    "(only the Cloud API has templates)."
                )
            ),
        },
        examples=[
            OpenApiExample(
                "AI text reply",
                value={
                    "sessionId": "9a3f4a0e-1c2b-4d5e-8f70-112233445566",
                    "author": "AI",
                    "type": "TEXT",
                    "content": {"text": "Seu pedido saiu para entrega."},
                    "idempotencyKey": "turn-5b1e-reply-1",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Media by URL",
                value={
                    "sessionId": "9a3f4a0e-1c2b-4d5e-8f70-112233445566",
                    "author": "AGENT",
                    "type": "MEDIA",
                    "content": {
                        "text": "Segue o boleto",
                        "media": {
                            "url": "https://example.com/boleto.pdf",
                            "mimeType": "application/pdf",
                            "name": "boleto.pdf",
                        },
                    },
                    "pauseSession": True,
                },
                request_only=True,
            ),
            OpenApiExample(
                "Template (Cloud API, also outside the 24-hour window)",
                value={
                    "sessionId": "9a3f4a0e-1c2b-4d5e-8f70-112233445566",
                    "author": "AGENT",
                    "type": "TEMPLATE",
                    "content": {
                        "template": {
                            "name": "pedido_enviado",
                            "language": "pt_BR",
                            "parameters": {"body": ["Maria", "#4521"]},
                        }
                    },
                },
                request_only=True,
            ),
            OpenApiExample(
                "Reply buttons",
                value={
                    "sessionId": "9a3f4a0e-1c2b-4d5e-8f70-112233445566",
                    "author": "AI",
                    "type": "INTERACTIVE",
                    "content": {
                        "interactive": {
                            "kind": "buttons",
                            "body": "Como posso ajudar?",
                            "buttons": [
                                {"id": "boleto", "title": "Segunda via"},
                                {"id": "humano", "title": "Falar com atendente"},
                            ],
                        }
                    },
                },
                request_only=True,
            ),
            MESSAGE_EXAMPLE,
        ],
    )
    def post(self, request):
        upload = request.content_type.startswith("multipart/")
        serializer = (MessageUploadSerializer if upload else MessageCreateSerializer)(
            data=request.data
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A template or interactive message is checked before anything is
        # stored, the business-initiated session included.
        rich = self._rich(request, data)
        session = self._session(request, data)
        message, created = messaging_services.message_create_outbound(
            session=session,
            author=data["author"],
            actor=api_actor(request),
            text=data["content"].get("text", ""),
            media=self._media(data),
            send_external=data["sendExternalMessage"],
            pause_session=data["pauseSession"],
            external_id=data["externalId"],
            idempotency_key=data.get("idempotencyKey") or None,
            rich=rich,
        )
        return Response(
            MessageSerializer(message, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def _rich(self, request, data) -> RichContent | None:
        if data["type"] not in ("TEMPLATE", "INTERACTIVE"):
            return None
        organization = request_organization(request)
        if data.get("sessionId"):
            instance = get_scoped_or_404(
                ChatSession.objects.filter(organization=organization).select_related("instance"),
                data["sessionId"],
                "session",
            ).instance
        else:
            instance = get_referenced(Instance, organization, data["instanceId"], "instanceId")
        if data["type"] == "TEMPLATE":
            return template_prepare(instance=instance, template=data["content"]["template"])
        interactive = interactive_check(data["content"]["interactive"])
        return interactive_prepare(instance=instance, interactive=interactive)

    def _session(self, request, data) -> ChatSession:
        organization = request_organization(request)
        if data.get("sessionId"):
            return get_scoped_or_404(
                ChatSession.objects.filter(organization=organization), data["sessionId"], "session"
            )
        instance = get_referenced(Instance, organization, data["instanceId"], "instanceId")
        contact = get_referenced(Contact, organization, data.get("contactId"), "contactId")
        if contact is None:
            contact, _created = contact_get_or_create_for_phone(
                organization=organization, phone=data["phone"]
            )
        session, _created = session_open_for_inbound(
            contact=contact,
            instance=instance,
            started_by=StartedBy.BUSINESS,
            actor=api_actor(request),
        )
        return session

    def _media(self, data):
        upload = data.get("file")
        media = data["content"].get("media")
        if upload is None and media is None:
            return None
        if upload is not None:
            if upload.size > messaging_services.MAX_MEDIA_BYTES:
                raise DomainError(
                    _("The file is too large."),
                    code="payload_too_large",
                    status=413,
                    details={"maxBytes": messaging_services.MAX_MEDIA_BYTES},
                )
            mimetype = upload.content_type or ""
            kind = _media_kind(data["type"], (media or {}).get("type"), mimetype)
            return messaging_services.OutgoingMedia(
                kind=kind, data=upload.read(), mimetype=mimetype, filename=upload.name or ""
            )
        kind = _media_kind(data["type"], media.get("type"), media["mimeType"])
        return messaging_services.OutgoingMedia(
            kind=kind, url=media["url"], mimetype=media["mimeType"], filename=media["name"]
        )


def _media_kind(message_type: str, media_type: str | None, mimetype: str) -> str:
    if message_type == "RECORDING":
        return MessageKind.VOICE
    if media_type:
        return MEDIA_TYPE_KIND[media_type]
    return kind_for_mimetype(mimetype)


class MessageDetailView(APIView):
    @extend_schema(
        summary="Get a message (with transcription and delivery status)",
        responses=MessageSerializer,
        examples=[MESSAGE_EXAMPLE],
    )
    def get(self, request, message_id):
        message = get_scoped_or_404(
            selectors.message_list(organization=request_organization(request)),
            message_id,
            "message",
        )
        return Response(MessageSerializer(message, context={"request": request}).data)


class MessageMediaView(APIView):
    @extend_schema(
        summary="Download a message's stored file (media received or uploaded)",
        description="The body is the file itself, with its own Content-Type.",
        responses={(200, "*/*"): OpenApiTypes.BINARY},
    )
    def get(self, request, message_id):
        message = get_scoped_or_404(
            Message.objects.filter(organization=request_organization(request)),
            message_id,
            "message",
        )
        if not message.media_file:
            raise NotFound(_("This message has no stored media."))
        return stored_media_response(message)
