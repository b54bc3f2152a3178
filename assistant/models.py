import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField


def default_model() -> str:
    return settings.ASSISTANT_DEFAULT_MODEL


def default_daily_token_budget() -> int:
    return settings.ASSISTANT_DAILY_TOKEN_BUDGET


class Assistant(models.Model):
    """The organization's built-in AI agent, answering the instances bound to it."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="assistants",
        verbose_name=_("organization"),
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    model = models.CharField(max_length=120, default=default_model, verbose_name=_("model"))
    # Any OpenAI-compatible server (OpenAI, Azure, Groq, vLLM, Ollama);
    # blank uses OPENAI_BASE_URL.
    base_url = models.URLField(max_length=500, blank=True, verbose_name=_("base URL"))
    # Write-only: the API and the console never show it. Blank uses OPENAI_API_KEY.
    api_key = EncryptedTextField(max_length=500, blank=True, verbose_name=_("API key"))
    system_prompt = models.TextField(blank=True, verbose_name=_("system prompt"))
    temperature = models.FloatField(default=0.3, verbose_name=_("temperature"))
    max_history_messages = models.PositiveSmallIntegerField(
        default=20, verbose_name=_("history messages")
    )
    max_reply_chars = models.PositiveIntegerField(
        default=1000, verbose_name=_("maximum reply length (characters)")
    )
    handoff_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handoff department"),
    )
    # Sent to the customer when the assistant hands over and the model wrote
    # nothing itself (or could not be asked); blank uses a Portuguese default.
    handoff_message = models.CharField(
        max_length=500, blank=True, verbose_name=_("handoff message")
    )
    # Tokens the whole organization may spend per day (UTC) while this
    # assistant answers; 0 means no limit.
    daily_token_budget = models.PositiveIntegerField(
        default=default_daily_token_budget, verbose_name=_("daily token budget")
    )
    # AI replies one session may get per rolling hour; 0 means no limit.
    max_replies_per_hour = models.PositiveSmallIntegerField(
        default=30, verbose_name=_("maximum replies per hour")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

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
    RUNNING = "RUNNING", _("Running")
    ANSWERED = "ANSWERED", _("Answered")
    HANDED_OFF = "HANDED_OFF", _("Handed off")
    CLOSED_SESSION = "CLOSED_SESSION", _("Closed the session")
    REFUSED = "REFUSED", _("Refused")  # the reply was refused: a human took over meanwhile
    SKIPPED = "SKIPPED", _("Skipped")  # the AI could not take part any more when the task ran
    FAILED = "FAILED", _("Failed")


class AssistantRun(models.Model):
    """One turn answered (or not) by the assistant: the accountability record.

    One row per turn (a unique constraint), so a task that runs twice answers
    once; tokens, latency, tool calls and the knowledge used are kept here and
    copied onto the reply's ``payload["assistant"]``.
    """

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
    )
    assistant = models.ForeignKey(
        Assistant,
        null=True,
        on_delete=models.SET_NULL,
        related_name="runs",
        verbose_name=_("assistant"),
    )
    session = models.ForeignKey(
        "sessions_app.ChatSession",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("session"),
    )
    turn = models.OneToOneField(
        "messaging.Turn", on_delete=models.CASCADE, related_name="+", verbose_name=_("turn")
    )
    status = models.CharField(
        max_length=16,
        choices=RunStatus.choices,
        default=RunStatus.RUNNING,
        verbose_name=_("status"),
    )
    reason = models.CharField(max_length=500, blank=True, verbose_name=_("reason"))
    model = models.CharField(max_length=120, blank=True, verbose_name=_("model"))
    prompt_tokens = models.PositiveIntegerField(default=0, verbose_name=_("prompt tokens"))
    completion_tokens = models.PositiveIntegerField(default=0, verbose_name=_("completion tokens"))
    latency_ms = models.PositiveIntegerField(default=0, verbose_name=_("latency (ms)"))
    model_calls = models.PositiveSmallIntegerField(default=0, verbose_name=_("model calls"))
    tool_calls = models.JSONField(default=list, blank=True, verbose_name=_("tool calls"))
    chunk_ids = models.JSONField(default=list, blank=True, verbose_name=_("knowledge passages"))
    reply_message = models.ForeignKey(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reply message"),
    )
    started_at = models.DateTimeField(verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

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
    READY = "READY", _("Ready")


class KnowledgeDocument(models.Model):
    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
    )
    assistant = models.ForeignKey(
        Assistant, on_delete=models.CASCADE, related_name="documents", verbose_name=_("assistant")
    )
    title = models.CharField(max_length=255, verbose_name=_("title"))
    filename = models.CharField(max_length=255, blank=True, verbose_name=_("file name"))
    mimetype = models.CharField(max_length=120, blank=True, verbose_name=_("MIME type"))
    size = models.PositiveIntegerField(default=0, verbose_name=_("size (bytes)"))
    status = models.CharField(
        max_length=8,
        choices=DocumentStatus.choices,
        default=DocumentStatus.READY,
        verbose_name=_("status"),
    )
    chars = models.PositiveIntegerField(default=0, verbose_name=_("characters"))
    chunks_count = models.PositiveIntegerField(default=0, verbose_name=_("number of passages"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("knowledge document")
        verbose_name_plural = _("knowledge documents")

    def __str__(self) -> str:
        return self.title


class KnowledgeChunk(models.Model):
    id = models.BigAutoField(primary_key=True, verbose_name=_("ID"))
    assistant = models.ForeignKey(
        Assistant, on_delete=models.CASCADE, related_name="+", verbose_name=_("assistant")
    )
    document = models.ForeignKey(
        KnowledgeDocument,
        on_delete=models.CASCADE,
        related_name="chunks",
        verbose_name=_("document"),
    )
    position = models.PositiveIntegerField(verbose_name=_("position"))
    text = models.TextField(verbose_name=_("text"))
    # PostgreSQL: to_tsvector('portuguese', text), GIN-indexed (migration 0002).
    # Unused on SQLite, which searches the text itself.
    search_vector = SearchVectorField(null=True, blank=True, verbose_name=_("search vector"))

    class Meta:
        ordering = ["document", "position"]
        indexes = [models.Index(fields=["assistant", "document"])]

    def __str__(self) -> str:
        return f"{self.document} #{self.position}"
