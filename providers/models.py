import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedJSONField, EncryptedTextField
from providers.registry import provider_choices


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(24)


class Provider:
    """Names for code that means one gateway in particular. The list of
    gateways is the registry's (``providers.registry``), not this."""

    EVOLUTION = "evolution"
    UAZAPI = "uazapi"
    BAILEYS = "baileys"
    CLOUDAPI = "cloudapi"
    SANDBOX = "sandbox"


class ConnectionStatus(models.TextChoices):
    UNKNOWN = "UNKNOWN", _("Unknown")
    CONNECTING = "CONNECTING", _("Connecting")
    CONNECTED = "CONNECTED", _("Connected")
    DISCONNECTED = "DISCONNECTED", _("Disconnected")
    ERROR = "ERROR", _("Error")


class Instance(models.Model):
    """One WhatsApp number on one gateway."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="instances",
        verbose_name=_("organization"),
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    provider = models.CharField(max_length=16, choices=provider_choices, verbose_name=_("provider"))
    base_url = models.URLField(max_length=500, blank=True, verbose_name=_("base URL"))
    # Gateway credentials: Evolution {"apiKey"}, UAZapi {"token"},
    # Cloud API {"accessToken"}, Baileys {"apiKey"}. Never serialized out.
    credentials = EncryptedJSONField(default=dict, blank=True, verbose_name=_("credentials"))
    # Evolution/UAZapi instance name, or the Cloud API phone-number-id.
    external_id = models.CharField(max_length=200, blank=True, verbose_name=_("external ID"))
    phone_number = models.CharField(max_length=20, blank=True, verbose_name=_("phone number"))
    # The token in this instance's webhook URL; gateways that cannot send
    # custom headers still authenticate with it.
    webhook_secret = models.CharField(
        max_length=64, unique=True, default=new_webhook_secret, verbose_name=_("webhook secret")
    )
    # Meta Cloud API: the app secret signs webhooks (X-Hub-Signature-256),
    # the verify token answers the GET handshake.
    app_secret = EncryptedTextField(max_length=200, blank=True, verbose_name=_("app secret"))
    verify_token = EncryptedTextField(max_length=200, blank=True, verbose_name=_("verify token"))

    connection_status = models.CharField(
        max_length=16,
        choices=ConnectionStatus.choices,
        default=ConnectionStatus.UNKNOWN,
        verbose_name=_("connection status"),
    )
    connection_status_since = models.DateTimeField(
        null=True, blank=True, verbose_name=_("connection status since")
    )
    last_health_check_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("last health check at")
    )
    last_health_error = models.TextField(blank=True, verbose_name=_("last health error"))
    qr_code = models.TextField(
        blank=True,
        help_text=_("Latest QR code (data URI or raw string)."),
        verbose_name=_("QR code"),
    )
    qr_code_updated_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("QR code updated at")
    )
    # Some gateways send, with the QR, a code to type on the phone instead
    # (WhatsApp > Linked devices > Link with phone number): kept with the QR
    # it came with and cleared with it once paired.
    pairing_code = models.CharField(max_length=64, blank=True, verbose_name=_("pairing code"))

    concat_timeout = models.PositiveSmallIntegerField(
        default=8,
        help_text=_("Default debounce window (seconds) for new sessions, 1–60."),
        verbose_name=_("grouping window (seconds)"),
    )
    default_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default department"),
    )
    ignore_groups = models.BooleanField(default=True, verbose_name=_("ignore groups"))
    # Minutes an agent's reply (or a message typed on the phone) blocks the
    # AI; null uses the organization's default.
    human_takeover_minutes = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("takeover minutes")
    )
    transcribe_audio = models.BooleanField(default=True, verbose_name=_("transcribe audio"))
    transcribe_video = models.BooleanField(default=True, verbose_name=_("transcribe video"))
    describe_images = models.BooleanField(default=True, verbose_name=_("describe images"))
    read_documents = models.BooleanField(default=True, verbose_name=_("read documents"))
    # The built-in assistant answering this number's turns. Referenced by
    # name: the assistant app sits above providers and is never imported here.
    assistant = models.ForeignKey(
        "assistant.Assistant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instances",
        verbose_name=_("assistant"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("instance")
        verbose_name_plural = _("instances")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="instance_name_unique_per_org"
            )
        ]
        indexes = [models.Index(fields=["provider", "external_id"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"

    @property
    def takeover_minutes(self) -> int:
        if self.human_takeover_minutes:
            return self.human_takeover_minutes
        return self.organization.human_takeover_minutes


class SandboxOutboxMessage(models.Model):
    """What the sandbox gateway "sent": visible in the admin instead of WhatsApp."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    instance = models.ForeignKey(
        Instance,
        on_delete=models.CASCADE,
        related_name="sandbox_outbox",
        verbose_name=_("instance"),
    )
    to = models.CharField(max_length=100, verbose_name=_("to"))
    kind = models.CharField(max_length=20, verbose_name=_("kind"))
    text = models.TextField(blank=True, verbose_name=_("text"))
    media = models.JSONField(default=dict, blank=True, verbose_name=_("media"))
    provider_message_id = models.CharField(
        max_length=100, unique=True, verbose_name=_("provider message ID")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("sandbox outbox message")
        verbose_name_plural = _("sandbox outbox messages")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"→ {self.to}: {self.text[:40]}"


class TemplateStatus(models.TextChoices):
    """Meta's template statuses; only APPROVED can be sent."""

    APPROVED = "APPROVED", _("Approved")
    PENDING = "PENDING", _("Pending")
    REJECTED = "REJECTED", _("Rejected")
    PAUSED = "PAUSED", _("Paused")
    DISABLED = "DISABLED", _("Disabled")
    IN_APPEAL = "IN_APPEAL", _("In appeal")
    PENDING_DELETION = "PENDING_DELETION", _("Pending deletion")
    DELETED = "DELETED", _("Deleted")


class MessageTemplate(models.Model):
    """A WhatsApp message template of a Cloud API instance's business account,
    as last synced from Meta (``providers.templates.sync``)."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    instance = models.ForeignKey(
        Instance,
        on_delete=models.CASCADE,
        related_name="templates",
        verbose_name=_("instance"),
    )
    provider_template_id = models.CharField(
        max_length=64, blank=True, verbose_name=_("provider template ID")
    )
    name = models.CharField(max_length=512, verbose_name=_("name"))
    language = models.CharField(max_length=16, verbose_name=_("language"))
    # Free text, not choices: Meta adds statuses, and an unknown one must
    # still be stored (it is simply not sendable).
    status = models.CharField(max_length=32, verbose_name=_("status"))
    category = models.CharField(max_length=32, blank=True, verbose_name=_("category"))
    parameter_format = models.CharField(
        max_length=16, default="POSITIONAL", verbose_name=_("parameter format")
    )
    components = models.JSONField(default=list, blank=True, verbose_name=_("components"))
    status_reason = models.CharField(max_length=500, blank=True, verbose_name=_("status reason"))
    synced_at = models.DateTimeField(verbose_name=_("synced at"))

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "name", "language"], name="template_once_per_instance_language"
            )
        ]
        indexes = [models.Index(fields=["instance", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    @property
    def is_sendable(self) -> bool:
        return self.status == TemplateStatus.APPROVED
