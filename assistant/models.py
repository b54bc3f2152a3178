import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_model() -> str:
    return settings.ASSISTANT_DEFAULT_MODEL


def default_daily_token_budget() -> int:
    return settings.ASSISTANT_DAILY_TOKEN_BUDGET


class Assistant(models.Model):
    """The organization's built-in AI agent, answering the instances bound to it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="assistants"
    )
    name = models.CharField(max_length=120)
    model = models.CharField(max_length=120, default=default_model)
    # Any OpenAI-compatible server (OpenAI, Azure, Groq, vLLM, Ollama);
    # blank uses OPENAI_BASE_URL.
    base_url = models.URLField(max_length=500, blank=True)
    # Write-only: the API and the console never show it. Blank uses OPENAI_API_KEY.
    api_key = models.CharField(max_length=500, blank=True)
    system_prompt = models.TextField(blank=True)
    temperature = models.FloatField(default=0.3)
    max_history_messages = models.PositiveSmallIntegerField(default=20)
    max_reply_chars = models.PositiveIntegerField(default=1000)
    handoff_department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Sent to the customer when the assistant hands over and the model wrote
    # nothing itself (or could not be asked); blank uses a Portuguese default.
    handoff_message = models.CharField(max_length=500, blank=True)
    # Tokens the whole organization may spend per day (UTC) while this
    # assistant answers; 0 means no limit.
    daily_token_budget = models.PositiveIntegerField(default=default_daily_token_budget)
    # AI replies one session may get per rolling hour; 0 means no limit.
    max_replies_per_hour = models.PositiveSmallIntegerField(default=30)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("assistant")
        verbose_name_plural = _("assistants")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="assistant_name_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    RUNNING = "RUNNING"
    ANSWERED = "ANSWERED"
    HANDED_OFF = "HANDED_OFF"
    CLOSED_SESSION = "CLOSED_SESSION"
    REFUSED = "REFUSED"  # the reply was refused: a human took over meanwhile
    SKIPPED = "SKIPPED"  # the AI could not take part any more when the task ran
    FAILED = "FAILED"


class AssistantRun(models.Model):
    """One turn answered (or not) by the assistant: the accountability record.

    One row per turn (a unique constraint), so a task that runs twice answers
    once; tokens, latency, tool calls and the knowledge used are kept here and
    copied onto the reply's ``payload["assistant"]``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    assistant = models.ForeignKey(
        Assistant, null=True, on_delete=models.SET_NULL, related_name="runs"
    )
    session = models.ForeignKey(
        "sessions_app.ChatSession", on_delete=models.CASCADE, related_name="+"
    )
    turn = models.OneToOneField("messaging.Turn", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    reason = models.CharField(max_length=500, blank=True)
    model = models.CharField(max_length=120, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    model_calls = models.PositiveSmallIntegerField(default=0)
    tool_calls = models.JSONField(default=list, blank=True)
    chunk_ids = models.JSONField(default=list, blank=True)
    reply_message = models.ForeignKey(
        "messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("assistant run")
        verbose_name_plural = _("assistant runs")
        indexes = [
            # The daily budget sums an organization's tokens since midnight.
            models.Index(fields=["organization", "started_at"]),
            # The per-session rate limit counts the last hour's replies.
            models.Index(fields=["session", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"run {self.id} ({self.status})"

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class DocumentStatus(models.TextChoices):
    # Documents are read when uploaded; one that cannot be read is refused
    # (400/415), so every stored document is READY. The field is in the API
    # contract for a later background reading of large files.
    READY = "READY"


class KnowledgeDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    assistant = models.ForeignKey(Assistant, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=255)
    filename = models.CharField(max_length=255, blank=True)
    mimetype = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.READY
    )
    chars = models.PositiveIntegerField(default=0)
    chunks_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("knowledge document")
        verbose_name_plural = _("knowledge documents")

    def __str__(self) -> str:
        return self.title


class KnowledgeChunk(models.Model):
    id = models.BigAutoField(primary_key=True)
    assistant = models.ForeignKey(Assistant, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(KnowledgeDocument, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    text = models.TextField()
    # PostgreSQL: to_tsvector('portuguese', text), GIN-indexed (migration 0002).
    # Unused on SQLite, which searches the text itself.
    search_vector = SearchVectorField(null=True, blank=True)

    class Meta:
        ordering = ["document", "position"]
        indexes = [models.Index(fields=["assistant", "document"])]

    def __str__(self) -> str:
        return f"{self.document} #{self.position}"
