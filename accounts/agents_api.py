"""``/api/v1/agents``: who works the conversations, their availability and load."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.agents import agent_update
from accounts.authentication import request_organization
from accounts.models import Agent, Department
from accounts.selectors import agents_of
from accounts.serializers import AgentSerializer, AgentUpdateSerializer
from core.api import LimitedJSONParser, get_scoped_or_404
from core.errors import Unprocessable

AGENT_EXAMPLE = OpenApiExample(
    "Agent",
    value={
        "id": "6a0f7c2e-3b8d-4e51-9c4a-1d2e3f4a5b6c",
        "name": "Ana",
        "username": "ana",
        "departmentIds": ["3c1d9a55-0f55-4d8e-b6d7-8d2a4c7f2e11"],
        "availability": "online",
        "maxConcurrentSessions": 5,
        "openSessions": 2,
        "active": True,
    },
    response_only=True,
)


def _agents(request):
    return agents_of(request_organization(request))


class AgentListView(generics.ListAPIView):
    queryset = Agent.objects.none()
    serializer_class = AgentSerializer

    def get_queryset(self):
        return _agents(self.request)

    @extend_schema(summary="List agents", examples=[AGENT_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AgentDetailView(APIView):
    parser_classes = [LimitedJSONParser]

    @extend_schema(summary="Get an agent", responses=AgentSerializer, examples=[AGENT_EXAMPLE])
    def get(self, request, agent_id):
        return Response(
            AgentSerializer(get_scoped_or_404(_agents(request), agent_id, "agent")).data
        )

    @extend_schema(
        summary="Update an agent (availability, capacity, departments, name, active)",
        request=AgentUpdateSerializer,
        responses=AgentSerializer,
        examples=[
            OpenApiExample(
                "Online, at most 5 conversations",
                value={"availability": "online", "maxConcurrentSessions": 5},
                request_only=True,
            ),
            AGENT_EXAMPLE,
        ],
    )
    def patch(self, request, agent_id):
        organization = request_organization(request)
        agent = get_scoped_or_404(_agents(request), agent_id, "agent")
        serializer = AgentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        departments = None
        if "departmentIds" in data:
            wanted = set(data["departmentIds"])
            departments = list(Department.objects.filter(organization=organization, pk__in=wanted))
            if len(departments) != len(wanted):
                raise Unprocessable(
                    _("Department not found."), details={"departmentIds": ["Not found."]}
                )
        agent_update(
            agent=agent,
            availability=data.get("availability"),
            max_concurrent_sessions=data.get("maxConcurrentSessions", ...),
            display_name=data.get("name"),
            is_active=data.get("active"),
            departments=departments,
        )
        return Response(
            AgentSerializer(get_scoped_or_404(_agents(request), agent_id, "agent")).data
        )
