"""Sessions for integrators: list, create and the lifecycle actions.

Views validate input, call one service from sessions_app.services and answer
with the session. Rules (transitions, block limits, tenancy of assignees)
live in the services; the views never repeat them.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from accounts.models import Agent, Department
from contacts.models import Contact
from contacts.selectors import tabulations_from_ids
from contacts.serializers import TabulationIdsSerializer
from contacts.services import contact_get_or_create_for_phone
from core.api import get_referenced, get_scoped_or_404
from core.schema import delete_body, links
from providers.models import Instance
from sessions_app import selectors
from sessions_app.filters import SessionFilter
from sessions_app.models import ChatSession
from sessions_app.serializers import (
    AiStatusSerializer,
    AssignSerializer,
    BlockAiSerializer,
    CloseSerializer,
    SessionCreateSerializer,
    SessionSerializer,
    StatusChangeSerializer,
)
from sessions_app.services.ai_block import session_block_ai, session_unblock_ai
from sessions_app.services.assignment import (
    session_assign,
    session_tabulations_add,
    session_tabulations_remove,
)
from sessions_app.services.lifecycle import (
    session_change_status,
    session_close,
    session_create,
    session_reopen,
)

SESSION_EXAMPLE = OpenApiExample(
    "Session",
    value={
        "id": "9a3f4a0e-1c2b-4d5e-8f70-112233445566",
        "contactId": "5f0c7c1e-8a43-4f0e-9a57-2b0d2c1f7a10",
        "instanceId": "7e2d1c0b-9a8f-4e6d-b5c4-a3b2c1d0e9f8",
        "status": "ACTIVE",
        "startedBy": "CUSTOMER",
        "statusReason": "",
        "endReason": "",
        "externalId": "",
        "assignedDepartmentId": None,
        "assignedAgentId": None,
        "assignedCustomerId": "",
        "assignedDepartment": None,
        "assignedAgent": None,
        "concatTimeout": 8,
        "aiBlocked": True,
        "aiBlockedUntil": "2026-01-05T13:00:00Z",
        "aiBlockReason": "agent took over",
        "aiBlockedBy": "api:crm",
        "pausedUntil": None,
        "pausedBy": "",
        "lastCustomerMessageAt": "2026-01-05T12:00:00Z",
        "whatsappWindowExpiresAt": "2026-01-06T12:00:00Z",
        "contact": {
            "id": "5f0c7c1e-8a43-4f0e-9a57-2b0d2c1f7a10",
            "name": "Maria Souza",
            "phone": "5511987654321",
        },
        "instance": {
            "id": "7e2d1c0b-9a8f-4e6d-b5c4-a3b2c1d0e9f8",
            "name": "Loja",
            "provider": "evolution",
        },
        "tabulations": [],
        "startedAt": "2026-01-05T12:00:00Z",
        "closedAt": None,
        "lastMessageAt": "2026-01-05T12:00:00Z",
        "createdAt": "2026-01-05T12:00:00Z",
        "updatedAt": "2026-01-05T12:01:00Z",
    },
    response_only=True,
)


def api_actor(request) -> str:
    """Who did it, as the timeline records it."""
    return f"api:{request.auth.name}"


def scoped_session(request, session_id) -> ChatSession:
    return get_scoped_or_404(
        selectors.session_list(organization=request_organization(request)), session_id, "session"
    )


def session_response(request, session: ChatSession, http_status=status.HTTP_200_OK) -> Response:
    # Reload through the selector: the answer shows the state after the service.
    fresh = selectors.session_get(organization=request_organization(request), session_id=session.pk)
    return Response(SessionSerializer(fresh).data, status=http_status)


class SessionListCreateView(generics.ListAPIView):
    queryset = ChatSession.objects.none()
    serializer_class = SessionSerializer
    filterset_class = SessionFilter

    def get_queryset(self):
        queryset = selectors.session_list(organization=request_organization(self.request))
        if self.request.query_params.get("tabulationId"):
            queryset = queryset.distinct()
        return queryset.order_by("-last_message_at", "-created_at", "-id")

    @extend_schema(summary="List sessions", examples=[SESSION_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Start a business-initiated session",
        extensions=links(
            201,
            {"session_id": "$response.body#/id"},
            "GET /api/v1/sessions/{session_id}",
            "GET /api/v1/sessions/{session_id}/messages",
            "GET /api/v1/sessions/{session_id}/ai-status",
            "PATCH /api/v1/sessions/{session_id}/status",
            "POST /api/v1/sessions/{session_id}/close",
            "POST /api/v1/sessions/{session_id}/tags",
            "POST /api/v1/sessions/{session_id}/block-ai",
            "POST /api/v1/sessions/{session_id}/assign",
        ),
        description="Give `contactId`, or a `phone` (the contact is created when unknown).",
        request=SessionCreateSerializer,
        responses={201: SessionSerializer},
        examples=[
            OpenApiExample(
                "By phone",
                value={
                    "phone": "+55 11 98765-4321",
                    "instanceId": "7e2d1c0b-9a8f-4e6d-b5c4-a3b2c1d0e9f8",
                },
                request_only=True,
            ),
            SESSION_EXAMPLE,
        ],
    )
    def post(self, request):
        organization = request_organization(request)
        serializer = SessionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        instance = get_referenced(Instance, organization, data["instanceId"], "instanceId")
        department = get_referenced(
            Department, organization, data.get("assignedDepartmentId"), "assignedDepartmentId"
        )
        agent = get_referenced(Agent, organization, data.get("assignedAgentId"), "assignedAgentId")
        # One transaction: a session refused (one already open, say) leaves no
        # contact behind that the request's phone created.
        with transaction.atomic():
            if data.get("contactId"):
                contact = get_referenced(Contact, organization, data["contactId"], "contactId")
            else:
                contact, _ = contact_get_or_create_for_phone(
                    organization=organization, phone=data["phone"]
                )
            session = session_create(
                contact=contact,
                instance=instance,
                actor=api_actor(request),
                started_by=data["startedBy"],
                external_id=data["externalId"],
                assigned_department=department,
                assigned_agent=agent,
            )
        return session_response(request, session, status.HTTP_201_CREATED)


class SessionBlockAiView(APIView):
    @extend_schema(
        summary="Block the AI for 1–1440 minutes",
        request=BlockAiSerializer,
        responses=SessionSerializer,
        examples=[
            OpenApiExample(
                "Block an hour",
                value={"durationMinutes": 60, "reason": "agent took over"},
                request_only=True,
            ),
            SESSION_EXAMPLE,
        ],
    )
    def post(self, request, session_id):
        session = scoped_session(request, session_id)
        serializer = BlockAiSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = session_block_ai(
            session=session,
            minutes=serializer.validated_data["durationMinutes"],
            actor=api_actor(request),
            reason=serializer.validated_data["reason"],
        )
        return session_response(request, session)


class SessionUnblockAiView(APIView):
    @extend_schema(
        summary="Unblock the AI",
        request=None,
        responses=SessionSerializer,
        examples=[SESSION_EXAMPLE],
    )
    def post(self, request, session_id):
        session = scoped_session(request, session_id)
        session = session_unblock_ai(session=session, actor=api_actor(request))
        return session_response(request, session)


class SessionAiStatusView(APIView):
    @extend_schema(
        summary="AI block and whether a customer turn would be dispatched now",
        responses=AiStatusSerializer,
        examples=[
            OpenApiExample(
                "Blocked",
                value={
                    "blocked": True,
                    "blockedUntil": "2026-01-05T13:00:00Z",
                    "remainingSeconds": 1800,
                    "reason": "agent took over",
                    "blockedBy": "api:crm",
                    "wouldDispatch": False,
                    "notDispatchedReason": "ai_blocked",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request, session_id):
        session = scoped_session(request, session_id)
        return Response(AiStatusSerializer(selectors.session_ai_status(session)).data)


class SessionCloseView(APIView):
    @extend_schema(
        summary="Close a session (endReason required)",
        request=CloseSerializer,
        responses=SessionSerializer,
        examples=[
            OpenApiExample("Close", value={"endReason": "Resolved"}, request_only=True),
            SESSION_EXAMPLE,
        ],
    )
    def post(self, request, session_id):
        session = scoped_session(request, session_id)
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = session_close(
            session=session,
            end_reason=serializer.validated_data["endReason"],
            actor=api_actor(request),
        )
        return session_response(request, session)


class SessionReopenView(APIView):
    @extend_schema(
        summary="Reopen a closed session (409 when another is open)",
        request=None,
        responses=SessionSerializer,
        examples=[SESSION_EXAMPLE],
    )
    def post(self, request, session_id):
        session = scoped_session(request, session_id)
        session = session_reopen(session=session, actor=api_actor(request))
        return session_response(request, session)


class SessionStatusView(APIView):
    @extend_schema(
        summary="Change the status (409 with the allowed targets when invalid)",
        request=StatusChangeSerializer,
        responses=SessionSerializer,
        examples=[
            OpenApiExample(
                "Pause", value={"status": "PAUSED", "statusReason": "waiting"}, request_only=True
            ),
            SESSION_EXAMPLE,
        ],
    )
    def patch(self, request, session_id):
        session = scoped_session(request, session_id)
        serializer = StatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = session_change_status(
            session=session,
            status=serializer.validated_data["status"],
            actor=api_actor(request),
            reason=serializer.validated_data["statusReason"],
        )
        return session_response(request, session)


class SessionAssignView(APIView):
    @extend_schema(
        summary="Assign to a department and/or an agent (409 agent_at_capacity unless force)",
        request=AssignSerializer,
        responses=SessionSerializer,
        examples=[
            OpenApiExample(
                "Department",
                value={"departmentId": "3c1d9a55-0f55-4d8e-b6d7-8d2a4c7f2e11"},
                request_only=True,
            ),
            SESSION_EXAMPLE,
        ],
    )
    def post(self, request, session_id):
        organization = request_organization(request)
        session = scoped_session(request, session_id)
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        session = session_assign(
            session=session,
            actor=api_actor(request),
            department=get_referenced(
                Department, organization, data.get("departmentId"), "departmentId"
            ),
            agent=get_referenced(Agent, organization, data.get("agentId"), "agentId"),
            force=data["force"],
        )
        return session_response(request, session)


class SessionTagsView(APIView):
    @extend_schema(
        summary="Tag a session (idempotent)",
        request=TabulationIdsSerializer,
        responses=SessionSerializer,
        examples=[
            OpenApiExample(
                "Tags",
                value={"tabulationIds": ["0b8f7c3a-3b9e-4c55-9d2c-0e6e1a9d1f20"]},
                request_only=True,
            ),
            SESSION_EXAMPLE,
        ],
    )
    def post(self, request, session_id):
        session, tabulations = self._parse(request, session_id)
        session_tabulations_add(session=session, tabulations=tabulations, actor=api_actor(request))
        return session_response(request, session)

    @extend_schema(
        summary="Untag a session (absent tags are a no-op)",
        request=TabulationIdsSerializer,
        extensions=delete_body(),
        responses={200: SessionSerializer},
        examples=[SESSION_EXAMPLE],
    )
    def delete(self, request, session_id):
        session, tabulations = self._parse(request, session_id)
        session_tabulations_remove(
            session=session, tabulations=tabulations, actor=api_actor(request)
        )
        return session_response(request, session)

    def _parse(self, request, session_id):
        session = scoped_session(request, session_id)
        serializer = TabulationIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data["tabulationIds"]
        return session, tabulations_from_ids(session.organization_id, ids)
