import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField


class Event(models.TextChoices):
    TURN_READY = "turn.ready"
    SESSION_STATUS_CHANGED = "session.status_changed"
    SESSION_AI_BLOCKED = "session.ai_blocked"
    # A person or automatic assignment gave the session to a department or an agent.
    SESSION_ASSIGNED = "session.assigned"
    MESSAGE_STATUS = "message.status"
    MESSAGE_UPDATED = "message.updated"
    MESSAGE_DELETED = "message.deleted"
    # The built-in assistant handed a conversation to a person.
    SESSION_HANDOFF = "session.handoff"


def new_signing_secret() -> str:
    return secrets.token_urlsafe(32)


class Integration(models.Model):
    """An HTTPS endpoint (the AI agent platform, a CRM) that receives events."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="integrations",
        verbose_name=_("organization"),
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    url = models.URLField(max_length=1000, verbose_name=_("URL"))
    secret = EncryptedTextField(
        max_length=200, default=new_signing_secret, verbose_name=_("signing secret")
    )
    events = models.JSONField(
        default=list, help_text=_("Event names this endpoint receives."), verbose_name=_("events")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    timeout_seconds = models.PositiveSmallIntegerField(
        default=10, verbose_name=_("timeout (seconds)")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    SUCCEEDED = "SUCCEEDED", _("Succeeded")
    FAILED = "FAILED", _("Failed")


class Delivery(models.Model):
    """The outbox row: one event for one integration, retried until done."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("organization"),
    )
    integration = models.ForeignKey(
        Integration,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("integration"),
    )
    event = models.CharField(max_length=64, verbose_name=_("event"))
    # Same event for the same integration is delivered once (e.g. the turn id).
    dedupe_key = models.CharField(max_length=200, verbose_name=_("deduplication key"))
    payload = models.JSONField(verbose_name=_("payload"))
    status = models.CharField(
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        verbose_name=_("status"),
    )
    attempts_count = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next attempt at"))
    last_status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("last status code")
    )
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    turn = models.ForeignKey(
        "messaging.Turn",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        verbose_name=_("turn"),
    )
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "event", "dedupe_key"], name="delivery_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["integration", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.integration} ({self.status})"


class DeliveryAttempt(models.Model):
    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("delivery")
    )
    number = models.PositiveSmallIntegerField(verbose_name=_("number"))
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("status code")
    )
    latency_ms = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("latency (ms)"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    response_excerpt = models.TextField(blank=True, verbose_name=_("response excerpt"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error[:30]}"
