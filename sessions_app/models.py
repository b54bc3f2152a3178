import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SessionStatus(models.TextChoices):
    QUEUED = "QUEUED"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    CLOSED = "CLOSED"


class StartedBy(models.TextChoices):
    CUSTOMER = "CUSTOMER"
    BUSINESS = "BUSINESS"
    AGENT = "AGENT"


class ChatSession(models.Model):
    """A conversation between one contact and one instance, from open to close."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="sessions"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="sessions"
    )
    instance = models.ForeignKey(
        "providers.Instance", on_delete=models.CASCADE, related_name="sessions"
    )
    status = models.CharField(
        max_length=8, choices=SessionStatus.choices, default=SessionStatus.QUEUED
    )
    started_by = models.CharField(
        max_length=8, choices=StartedBy.choices, default=StartedBy.CUSTOMER
    )
    status_reason = models.CharField(max_length=500, blank=True)
    end_reason = models.CharField(max_length=500, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    assigned_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    assigned_agent = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    assigned_customer_id = models.CharField(max_length=200, blank=True)

    concat_timeout = models.PositiveSmallIntegerField(
        default=8, help_text="Debounce window in seconds (1–60)."
    )
    # Incremented by every inbound customer message. A debounce task carries
    # the value it was scheduled for and does nothing if it has moved on.
    concat_seq = models.PositiveBigIntegerField(default=0)

    ai_blocked_until = models.DateTimeField(null=True, blank=True)
    ai_block_reason = models.CharField(max_length=500, blank=True)
    ai_blocked_by = models.CharField(max_length=200, blank=True)

    paused_until = models.DateTimeField(null=True, blank=True)
    paused_by = models.CharField(max_length=200, blank=True)

    # WhatsApp lets a business send free-form messages only within 24 h of
    # the customer's last message (the customer-service window).
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    whatsapp_window_expires_at = models.DateTimeField(null=True, blank=True)

    # When an agent last opened the conversation; messages after it are unread.
    agent_last_seen_at = models.DateTimeField(null=True, blank=True)

    tabulations = models.ManyToManyField(
        "contacts.Tabulation", through="sessions_app.SessionTabulation", related_name="sessions"
    )

    started_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-last_message_at", "-created_at"]
        constraints = [
            # The rule the prototype only hoped for: two concurrent first
            # messages must not open two sessions.
            models.UniqueConstraint(
                fields=["contact", "instance"],
                condition=~Q(status="CLOSED"),
                name="one_open_session_per_contact_instance",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "last_message_at"]),
            models.Index(fields=["organization", "created_at"]),
            models.Index(fields=["organization", "contact"]),
            models.Index(fields=["organization", "instance"]),
            models.Index(fields=["organization", "assigned_agent"]),
            models.Index(fields=["organization", "assigned_department"]),
            models.Index(fields=["ai_blocked_until"]),
            models.Index(fields=["paused_until"]),
            models.Index(fields=["organization", "external_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.contact} · {self.status}"


class SessionTabulation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        ChatSession, on_delete=models.CASCADE, related_name="session_tabulations"
    )
    tabulation = models.ForeignKey(
        "contacts.Tabulation", on_delete=models.CASCADE, related_name="session_tabulations"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session tabulation")
        verbose_name_plural = _("session tabulations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "tabulation"], name="session_tabulation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.tabulation}"


class SessionEvent(models.Model):
    """A SYSTEM entry in the session timeline: what changed, who did it, why.

    Status changes, AI blocks and unblocks, assignments, tags, takeovers and
    phone commands all leave one. The conversation view interleaves these
    with the messages.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="session_events"
    )
    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="events")
    # Machine-readable: status_changed, ai_blocked, ai_unblocked, assigned,
    # tag_added, tag_removed, takeover, command, window_expired, ...
    code = models.CharField(max_length=40)
    text = models.CharField(max_length=500, help_text="Human-readable summary.")
    data = models.JSONField(default=dict, blank=True)
    # Who caused it: "agent:<username>", "api:<key name>", "system", "phone".
    actor = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session event")
        verbose_name_plural = _("session events")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["session", "created_at"])]

    def __str__(self) -> str:
        return self.text
