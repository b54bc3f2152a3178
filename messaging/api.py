"""Conversations for integrators: messages, and sessions read with their messages.

``POST /messages`` validates, resolves the session (starting a
business-initiated one when asked) and calls
messaging.services.message_create_outbound, which owns every sending rule
(AI blocking, takeover, 24 h window, idempotency).
"""

import django_filters
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from contacts import selectors as contact_selectors
from contacts.models import Contact
from contacts.serializers import ContactFalecomigoSerializer
from contacts.services import contact_get_or_create_for_phone
from core.api import LimitedJSONParser, get_referenced, get_scoped_or_404, strict_bool
from core.errors import DomainError, NotFound
from core.pagination import PageNumberPagination, positive_int
from messaging import selectors
from messaging import services as messaging_services
from messaging.media import stored_media_response
from messaging.models import (
    Author,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    kind_for_mimetype,
)
from messaging.serializers import (
    FALECOMIGO_TYPE,
    MEDIA_TYPE,
    MESSAGE_TYPES,
    ByContactSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    SessionFalecomigoSerializer,
    SessionWithMessagesSerializer,
)
from providers.models import Instance
from sessions_app import services as session_services
from sessions_app.api import SESSION_EXAMPLE, api_actor, scoped_session
from sessions_app.models import ChatSession, SessionStatus, StartedBy

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
BY_CONTACT_EXAMPLE = OpenApiExample(
    "Conversation history",
    value={
        "contact": {
            "id": "5f0c7c1e-8a43-4f0e-9a57-2b0d2c1f7a10",
            "name": "Maria Souza",
            "phone": "5511987654321",
            "email": "",
            "externalId": "crm-123",
            "bypassBots": False,
            "source": "7e2d1c0b-9a8f-4e6d-b5c4-a3b2c1d0e9f8",
            "profilePictureUrl": "",
            "tabulations": [
                {
                    "id": "0b8f7c3a-3b9e-4c55-9d2c-0e6e1a9d1f20",
                    "name": "Lead",
                    "backgroundColor": "#ff9900",
                }
            ],
            "createdAt": "2026-01-05T12:00:00Z",
            "updatedAt": "2026-01-05T12:00:00Z",
            "organizationId": "e1d2c3b4-a5f6-4789-8abc-def012345678",
            "ContactTabulation": [
                {
                    "id": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
                    "contactId": "5f0c7c1e-8a43-4f0e-9a57-2b0d2c1f7a10",
                    "tabulationId": "0b8f7c3a-3b9e-4c55-9d2c-0e6e1a9d1f20",
                    "createdAt": "2026-01-05T12:01:00Z",
                    "updatedAt": "2026-01-05T12:01:00Z",
                    "tabulation": {
                        "id": "0b8f7c3a-3b9e-4c55-9d2c-0e6e1a9d1f20",
                        "name": "Lead",
                        "backgroundColor": "#ff9900",
                        "description": "Asked for a quote",
                        "autoTabulation": False,
                    },
                }
            ],
        },
        "sessions": [
            {
                **SESSION_EXAMPLE.value,
                "integrationId": "7e2d1c0b-9a8f-4e6d-b5c4-a3b2c1d0e9f8",
                "integration": {
                    "id": "7e2d1c0b-9a8f-4e6d-b5c4-a3b2c1d0e9f8",
                    "name": "Loja",
                    "provider": {"slug": "evolution"},
                },
                "messages": [MESSAGE_EXAMPLE.value],
            }
        ],
        "allMessages": [MESSAGE_EXAMPLE.value],
        "isLastSessionClosed": False,
        "lastSessionId": "9a3f4a0e-1c2b-4d5e-8f70-112233445566",
        "lastSessionStatus": "ACTIVE",
        "lastSessionAssignedDepartment": None,
        "pagination": {
            "total_data": 1,
            "total_pages": 1,
            "page": 1,
            "limit": 50,
            "has_next_page": False,
            "has_previous_page": False,
        },
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
    parser_classes = [LimitedJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.message_list(organization=request_organization(self.request))

    @extend_schema(summary="List messages", examples=[MESSAGE_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Send (or record) a message",
        description=(
            "`sendExternalMessage: false` records without sending. The same `idempotencyKey` "
            "again returns the first message with 200 and sends nothing. An AI reply is "
            "refused with 409 (`ai_blocked`, `session_paused`, `session_closed`, "
            "`bypass_bots`) and nothing is stored as sent."
        ),
        request={
            "application/json": MessageCreateSerializer,
            "multipart/form-data": MessageCreateSerializer,
        },
        responses={201: MessageSerializer, 200: MessageSerializer},
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
            MESSAGE_EXAMPLE,
        ],
    )
    def post(self, request):
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
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
        )
        return Response(
            MessageSerializer(message, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def _session(self, request, data) -> ChatSession:
        organization = request_organization(request)
        if data.get("sessionId"):
            return get_scoped_or_404(
                ChatSession.objects.filter(organization=organization), data["sessionId"], "session"
            )
        instance = get_referenced(Instance, organization, data["instanceId"], "instanceId")
        contact = get_referenced(Contact, organization, data.get("contactId"), "contactId")
        if contact is None:
            contact, _ = contact_get_or_create_for_phone(
                organization=organization, phone=data["phone"]
            )
        session, _ = session_services.session_open_for_inbound(
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
                    "The file is too large.",
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
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, message_id):
        message = get_scoped_or_404(
            Message.objects.filter(organization=request_organization(request)),
            message_id,
            "message",
        )
        if not message.media_file:
            raise NotFound("This message has no stored media.")
        return stored_media_response(message)


class SessionDetailView(APIView):
    @extend_schema(
        summary="Get a session (optionally with its last messages, oldest first)",
        parameters=[
            OpenApiParameter("includeMessages", bool, required=False),
            OpenApiParameter(
                "messagesLimit", int, required=False, description="1–500, default 100."
            ),
        ],
        responses=SessionWithMessagesSerializer,
        examples=[SESSION_EXAMPLE],
    )
    def get(self, request, session_id):
        session = scoped_session(request, session_id)
        include = strict_bool(request.query_params.get("includeMessages"), "includeMessages")
        context = {"request": request}
        if include:
            limit = min(
                positive_int(
                    request.query_params.get("messagesLimit"), "messagesLimit", default=100
                ),
                500,
            )
            context["messages"] = selectors.messages_latest(session=session, limit=limit)
        data = SessionWithMessagesSerializer(session, context=context).data
        if not include:
            data.pop("messages")
        return Response(data)


class SessionMessagesView(generics.ListAPIView):
    queryset = Message.objects.none()
    serializer_class = MessageSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        session = scoped_session(self.request, self.kwargs["session_id"])
        return selectors.messages_of_session(session=session)

    @extend_schema(summary="Messages of a session, newest first", examples=[MESSAGE_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SessionsByContactView(APIView):
    @extend_schema(
        summary="A contact's sessions and messages (falecomigo format)",
        parameters=[
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("limit", int, required=False, description="1–100, default 50."),
        ],
        responses=ByContactSerializer,
        examples=[BY_CONTACT_EXAMPLE],
    )
    def get(self, request, contact_id):
        organization = request_organization(request)
        contact = contact_selectors.contact_get(organization=organization, contact_id=contact_id)
        if contact is None:
            raise NotFound("No such contact.")
        context = {"request": request, "now": timezone.now()}
        sessions = list(selectors.sessions_by_contact(contact=contact))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.messages_of_contact(contact=contact), request, view=self
        )
        last = sessions[0] if sessions else None
        department = last.assigned_department if last else None
        return Response(
            {
                "contact": ContactFalecomigoSerializer(contact).data,
                "sessions": SessionFalecomigoSerializer(sessions, many=True, context=context).data,
                "allMessages": MessageSerializer(page, many=True, context=context).data,
                "isLastSessionClosed": bool(last and last.status == SessionStatus.CLOSED),
                "lastSessionId": str(last.id) if last else None,
                "lastSessionStatus": last.status if last else None,
                "lastSessionAssignedDepartment": (
                    {"id": str(department.id), "name": department.name} if department else None
                ),
                "pagination": paginator.get_pagination(),
            }
        )
