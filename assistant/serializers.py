"""The API's assistant representation (camelCase). The model server's key is write-only."""

from rest_framework import serializers

from assistant.models import Assistant, AssistantRun, KnowledgeDocument
from core.strict import (
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
    StrictUUIDField,
)


class AssistantSerializer(serializers.ModelSerializer):
    baseUrl = StrictCharField(source="base_url")
    hasApiKey = serializers.SerializerMethodField()
    systemPrompt = StrictCharField(source="system_prompt")
    maxHistoryMessages = StrictIntegerField(source="max_history_messages")
    maxReplyChars = StrictIntegerField(source="max_reply_chars")
    handoffDepartmentId = StrictUUIDField(source="handoff_department_id", allow_null=True)
    handoffMessage = StrictCharField(source="handoff_message")
    dailyTokenBudget = StrictIntegerField(source="daily_token_budget")
    maxRepliesPerHour = StrictIntegerField(source="max_replies_per_hour")
    instanceIds = serializers.SerializerMethodField()
    active = serializers.BooleanField(source="is_active")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Assistant
        fields = [
            "id",
            "name",
            "model",
            "baseUrl",
            "hasApiKey",
            "systemPrompt",
            "temperature",
            "maxHistoryMessages",
            "maxReplyChars",
            "handoffDepartmentId",
            "handoffMessage",
            "dailyTokenBudget",
            "maxRepliesPerHour",
            "instanceIds",
            "active",
            "createdAt",
            "updatedAt",
        ]
        read_only_fields = fields

    def get_hasApiKey(self, assistant) -> bool:  # noqa: N802 (camelCase API field)
        return bool(assistant.api_key)

    def get_instanceIds(self, assistant) -> list[str]:  # noqa: N802
        return [str(instance.pk) for instance in assistant.instances.all()]


class AssistantWriteSerializer(serializers.Serializer):
    """Create (name required) and PATCH (partial=True) input."""

    name = StrictCharField(max_length=120)
    model = StrictCharField(max_length=120, required=False)
    baseUrl = serializers.URLField(
        source="base_url", max_length=500, required=False, allow_blank=True
    )
    apiKey = StrictCharField(
        source="api_key",
        max_length=500,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The model server's key. Never returned (see hasApiKey); blank: OPENAI_API_KEY.",
    )
    systemPrompt = StrictCharField(
        source="system_prompt", max_length=20000, required=False, allow_blank=True
    )
    temperature = StrictFloatField(min_value=0, max_value=2, required=False)
    maxHistoryMessages = StrictIntegerField(
        source="max_history_messages", min_value=1, max_value=100, required=False
    )
    maxReplyChars = StrictIntegerField(
        source="max_reply_chars", min_value=50, max_value=4096, required=False
    )
    handoffDepartmentId = StrictUUIDField(
        source="handoff_department_id", required=False, allow_null=True
    )
    handoffMessage = StrictCharField(
        source="handoff_message", max_length=500, required=False, allow_blank=True
    )
    dailyTokenBudget = StrictIntegerField(
        source="daily_token_budget", min_value=0, max_value=1_000_000_000, required=False
    )
    maxRepliesPerHour = StrictIntegerField(
        source="max_replies_per_hour", min_value=0, max_value=1000, required=False
    )
    active = StrictBooleanField(source="is_active", required=False)


class DocumentSerializer(serializers.ModelSerializer):
    mimeType = StrictCharField(source="mimetype")
    chunks = StrictIntegerField(source="chunks_count")
    createdAt = serializers.DateTimeField(source="created_at")

    class Meta:
        model = KnowledgeDocument
        fields = [
            "id",
            "title",
            "filename",
            "mimeType",
            "size",
            "status",
            "chars",
            "chunks",
            "createdAt",
        ]
        read_only_fields = fields


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = StrictCharField(max_length=255, required=False, allow_blank=True)


class RunSerializer(serializers.ModelSerializer):
    sessionId = StrictUUIDField(source="session_id")
    turnId = StrictUUIDField(source="turn_id")
    replyMessageId = StrictUUIDField(source="reply_message_id", allow_null=True)
    promptTokens = StrictIntegerField(source="prompt_tokens")
    completionTokens = StrictIntegerField(source="completion_tokens")
    latencyMs = StrictIntegerField(source="latency_ms")
    modelCalls = StrictIntegerField(source="model_calls")
    toolCalls = serializers.JSONField(source="tool_calls")
    chunkIds = serializers.JSONField(source="chunk_ids")
    startedAt = serializers.DateTimeField(source="started_at")
    finishedAt = serializers.DateTimeField(source="finished_at", allow_null=True)

    class Meta:
        model = AssistantRun
        fields = [
            "id",
            "sessionId",
            "turnId",
            "status",
            "reason",
            "model",
            "promptTokens",
            "completionTokens",
            "latencyMs",
            "modelCalls",
            "toolCalls",
            "chunkIds",
            "replyMessageId",
            "startedAt",
            "finishedAt",
        ]
        read_only_fields = fields
