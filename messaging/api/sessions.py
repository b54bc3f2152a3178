"""Conversation reads of the sessions API: one session with its latest
messages, its messages paged, and the falecomigo ``by-contact`` view.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from contacts import selectors as contact_selectors
from contacts.serializers import ContactFalecomigoSerializer
from core.errors import NotFound
from core.pagination import MAX_PAGE, PageNumberPagination
from core.strict import query_bool, query_int
from messaging import selectors
from messaging.api.messages import MESSAGE_EXAMPLE
from messaging.api.serializers import (
    ByContactSerializer,
    MessageSerializer,
    SessionFalecomigoSerializer,
    SessionWithMessagesSerializer,
)
from messaging.models import Message
from sessions_app.api import SESSION_EXAMPLE, scoped_session
from sessions_app.models import SessionStatus

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


class SessionDetailView(APIView):
    @extend_schema(
        summary="Get a session (optionally with its last messages, oldest first)",
        parameters=[
            OpenApiParameter("includeMessages", bool, required=False),
            OpenApiParameter(
                "messagesLimit",
                {"type": "integer", "minimum": 1, "maximum": 500},
                required=False,
                description="1–500, default 100.",
            ),
        ],
        responses=SessionWithMessagesSerializer,
        examples=[SESSION_EXAMPLE],
    )
    def get(self, request, session_id):
        session = scoped_session(request, session_id)
        include = query_bool(request, "includeMessages")
        limit = query_int(request, "messagesLimit", default=100, maximum=500)
        context = {"request": request}
        if include:
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
            OpenApiParameter(
                "page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, required=False
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": PageNumberPagination.max_limit},
                required=False,
                description="1–100, default 50.",
            ),
        ],
        responses=ByContactSerializer,
        examples=[BY_CONTACT_EXAMPLE],
    )
    def get(self, request, contact_id):
        organization = request_organization(request)
        contact = contact_selectors.contact_get(organization=organization, contact_id=contact_id)
        if contact is None:
            raise NotFound(_("No such contact."))
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
