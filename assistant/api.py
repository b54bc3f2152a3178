"""Assistants, their knowledge documents and runs, for integrators. Thin views."""

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiRequest, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from accounts.models import Department
from assistant import selectors, services
from assistant.knowledge import DOCUMENT_TYPES
from assistant.models import Assistant, AssistantRun, KnowledgeDocument
from assistant.serializers import (
    AssistantSerializer,
    AssistantWriteSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    RunSerializer,
)
from core.api import get_referenced, get_scoped_or_404
from core.schema import links

ASSISTANT_EXAMPLE = OpenApiExample(
    "Assistant",
    response_only=True,
    value={
        "id": "0b8f2f4e-3c5d-4e6f-8a9b-1c2d3e4f5a6b",
        "name": "Ana",
        "model": "gpt-4o-mini",
        "baseUrl": "",
        "hasApiKey": True,
        "systemPrompt": "Você é a Ana, assistente da Loja Centro.",
        "temperature": 0.3,
        "maxHistoryMessages": 20,
        "maxReplyChars": 1000,
        "handoffDepartmentId": None,
        "handoffMessage": "",
        "dailyTokenBudget": 500000,
        "maxRepliesPerHour": 30,
        "instanceIds": ["5b0f3f0e-8a51-4a55-9a43-0d4f1f3c2a11"],
        "active": True,
        "createdAt": "2026-11-30T10:00:00Z",
        "updatedAt": "2026-11-30T10:00:00Z",
    },
)
CREATE_EXAMPLE = OpenApiExample(
    "A local model server",
    request_only=True,
    value={
        "name": "Ana",
        "model": "llama3.1",
        "baseUrl": "http://ollama.internal:11434/v1",
        "systemPrompt": "Você é a Ana, assistente da Loja Centro.",
    },
)
DOCUMENT_EXAMPLE = OpenApiExample(
    "Document",
    response_only=True,
    value={
        "id": "7c6b5a49-3827-4165-9a8b-7c6d5e4f3a2b",
        "title": "Política de trocas",
        "filename": "trocas.pdf",
        "mimeType": "application/pdf",
        "size": 48213,
        "status": "READY",
        "chars": 5120,
        "chunks": 5,
        "createdAt": "2026-11-30T10:05:00Z",
    },
)
RUN_EXAMPLE = OpenApiExample(
    "Run",
    response_only=True,
    value={
        "id": "1d2c3b4a-5e6f-4788-9a0b-c1d2e3f4a5b6",
        "sessionId": "9a8b7c6d-5e4f-4321-8a9b-0c1d2e3f4a5b",
        "turnId": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
        "status": "ANSWERED",
        "reason": "",
        "model": "gpt-4o-mini",
        "promptTokens": 812,
        "completionTokens": 64,
        "latencyMs": 1430,
        "modelCalls": 2,
        "toolCalls": [{"name": "add_tag", "arguments": {"name": "Orçamento"}, "ok": True}],
        "chunkIds": [41, 42],
        "replyMessageId": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
        "startedAt": "2026-11-30T10:06:00Z",
        "finishedAt": "2026-11-30T10:06:02Z",
    },
)


def _assistant(request, assistant_id) -> Assistant:
    return get_scoped_or_404(
        selectors.assistant_list(organization=request_organization(request)),
        assistant_id,
        "assistant",
    )


def _fields(request, validated: dict) -> dict:
    fields = dict(validated)
    if "handoff_department_id" in fields:
        fields["handoff_department"] = get_referenced(
            Department,
            request_organization(request),
            fields.pop("handoff_department_id"),
            "handoffDepartmentId",
        )
    return fields


class AssistantListCreateView(generics.ListAPIView):
    queryset = Assistant.objects.none()  # for the schema; get_queryset scopes
    serializer_class = AssistantSerializer

    def get_queryset(self):
        return selectors.assistant_list(organization=request_organization(self.request)).order_by(
            "name", "id"
        )

    @extend_schema(summary="List assistants", examples=[ASSISTANT_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create an assistant",
        extensions=links(
            201,
            {"assistant_id": "$response.body#/id"},
            "GET /api/v1/assistants/{assistant_id}",
            "PATCH /api/v1/assistants/{assistant_id}",
            "DELETE /api/v1/assistants/{assistant_id}",
            "GET /api/v1/assistants/{assistant_id}/documents",
            "POST /api/v1/assistants/{assistant_id}/documents",
            "GET /api/v1/assistants/{assistant_id}/runs",
        ),
        request=AssistantWriteSerializer,
        responses={201: AssistantSerializer},
        examples=[CREATE_EXAMPLE, ASSISTANT_EXAMPLE],
    )
    def post(self, request):
        serializer = AssistantWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assistant = services.assistant_create(
            organization=request_organization(request),
            **_fields(request, serializer.validated_data),
        )
        return Response(AssistantSerializer(assistant).data, status=status.HTTP_201_CREATED)


class AssistantDetailView(APIView):
    @extend_schema(
        summary="Get an assistant", responses=AssistantSerializer, examples=[ASSISTANT_EXAMPLE]
    )
    def get(self, request, assistant_id):
        return Response(AssistantSerializer(_assistant(request, assistant_id)).data)

    @extend_schema(
        summary="Update an assistant",
        request=AssistantWriteSerializer(partial=True),
        responses=AssistantSerializer,
        examples=[ASSISTANT_EXAMPLE],
    )
    def patch(self, request, assistant_id):
        assistant = _assistant(request, assistant_id)
        serializer = AssistantWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        assistant = services.assistant_update(
            assistant=assistant, **_fields(request, serializer.validated_data)
        )
        return Response(AssistantSerializer(assistant).data)

    @extend_schema(
        summary="Delete an assistant (its instances keep running without it)",
        responses={204: None},
    )
    def delete(self, request, assistant_id):
        services.assistant_delete(assistant=_assistant(request, assistant_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentListCreateView(generics.ListAPIView):
    queryset = KnowledgeDocument.objects.none()
    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser]  # a file upload; its list is a GET

    def get_queryset(self):
        assistant = _assistant(self.request, self.kwargs["assistant_id"])
        return selectors.document_list(assistant=assistant).order_by("-created_at", "id")

    @extend_schema(summary="List an assistant's knowledge documents", examples=[DOCUMENT_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a knowledge document (multipart `file`: PDF, DOCX, TXT or MD)",
        extensions=links(
            201,
            {"document_id": "$response.body#/id", "assistant_id": "$request.path.assistant_id"},
            "GET /api/v1/assistants/{assistant_id}/documents/{document_id}",
            "DELETE /api/v1/assistants/{assistant_id}/documents/{document_id}",
        ),
        description="The part's Content-Type (or the file's own bytes) names its type: "
        + ", ".join(DOCUMENT_TYPES)
        + ". Another type is a 415; an empty or unreadable file, or one without text, a 422.",
        request={
            "multipart/form-data": OpenApiRequest(
                DocumentUploadSerializer,
                encoding={"file": {"contentType": ", ".join(DOCUMENT_TYPES)}},
            )
        },
        responses={201: DocumentSerializer},
        examples=[DOCUMENT_EXAMPLE],
    )
    def post(self, request, assistant_id):
        assistant = _assistant(request, assistant_id)
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > settings.ASSISTANT_DOCUMENT_MAX_BYTES:
            # Refused before reading it into memory.
            raise services.DocumentTooLarge(services.document_too_large_message())
        document = services.document_create(
            assistant=assistant,
            data=upload.read(),
            filename=upload.name or "",
            mimetype=upload.content_type or "",
            title=serializer.validated_data.get("title", ""),
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailView(APIView):
    @extend_schema(
        summary="Get a knowledge document",
        responses=DocumentSerializer,
        examples=[DOCUMENT_EXAMPLE],
    )
    def get(self, request, assistant_id, document_id):
        assistant = _assistant(request, assistant_id)
        document = get_scoped_or_404(
            selectors.document_list(assistant=assistant), document_id, "document"
        )
        return Response(DocumentSerializer(document).data)

    @extend_schema(summary="Remove a knowledge document", responses={204: None})
    def delete(self, request, assistant_id, document_id):
        assistant = _assistant(request, assistant_id)
        document = get_scoped_or_404(
            selectors.document_list(assistant=assistant), document_id, "document"
        )
        services.document_delete(document=document)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RunListView(generics.ListAPIView):
    """Each turn the assistant took: outcome, model, tokens, latency, tools, knowledge."""

    queryset = AssistantRun.objects.none()
    serializer_class = RunSerializer

    def get_queryset(self):
        assistant = _assistant(self.request, self.kwargs["assistant_id"])
        return selectors.run_list(assistant=assistant).order_by("-started_at", "id")

    @extend_schema(
        summary="The assistant's runs (accountability), newest first", examples=[RUN_EXAMPLE]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
