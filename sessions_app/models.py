import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts.models import TagLink


class SessionStatus(models.TextChoices):
    QUEUED = "QUEUED", _("Queued")
    ACTIVE = "ACTIVE", _("Active")
    PAUSED = "PAUSED", _("Paused")
    CLOSED = "CLOSED", _("Closed")


class StartedBy(models.TextChoices):
    CUSTOMER = "CUSTOMER", _("Customer")
    BUSINESS = "BUSINESS", _("Business phone")
    AGENT = "AGENT", _("Agent")


# WhatsApp's customer-service window: free-form business messages are
# allowed for 24 hours after the customer's last message
# (ChatSession.whatsapp_window_expires_at).
WHATSAPP_WINDOW = timedelta(hours=24)


class ChatSession(models.Model):
    """A conversation between one contact and one instance, from open to close."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("organization"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("contact"),
    )
    instance = models.ForeignKey(
        "providers.Instance",
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("instance"),
    )
    status = models.CharField(
        max_length=8,
        choices=SessionStatus.choices,
        default=SessionStatus.QUEUED,
        verbose_name=_("status"),
    )
    started_by = models.CharField(
        max_length=8,
        choices=StartedBy.choices,
        default=StartedBy.CUSTOMER,
        verbose_name=_("started by"),
    )
    status_reason = models.CharField(max_length=500, blank=True, verbose_name=_("status reason"))
    end_reason = models.CharField(max_length=500, blank=True, verbose_name=_("close reason"))
    external_id = models.CharField(max_length=200, blank=True, verbose_name=_("external ID"))

    assigned_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name=_("department"),
    )
    assigned_agent = models.ForeignKey(
        "accounts.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name=_("agent"),
    )
    assigned_customer_id = models.CharField(
        max_length=200, blank=True, verbose_name=_("assigned customer ID")
    )

    concat_timeout = models.PositiveSmallIntegerField(
        default=8,
        help_text=_("Debounce window in seconds (1–60)."),
        verbose_name=_("grouping window (seconds)"),
    )
    # Incremented by every inbound customer message. A debounce task carries
    # the value it was scheduled for and does nothing if it has moved on.
    concat_seq = models.PositiveBigIntegerField(default=0, verbose_name=_("message sequence"))

    ai_blocked_until = models.DateTimeField(
        null=True, blank=True, verbose_name=_("AI blocked until")
    )
    ai_block_reason = models.CharField(
        max_length=500, blank=True, verbose_name=_("AI block reason")
    )
    ai_blocked_by = models.CharField(max_length=200, blank=True, verbose_name=_("AI blocked by"))

    paused_until = models.DateTimeField(null=True, blank=True, verbose_name=_("paused until"))
    paused_by = models.CharField(max_length=200, blank=True, verbose_name=_("paused by"))

    # WhatsApp lets a business send free-form messages only within 24 h of
    # the customer's last message (the customer-service window).
    last_customer_message_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("last customer message at")
    )
    whatsapp_window_expires_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("WhatsApp window expires at")
    )

    # When an agent last opened the conversation; messages after it are unread.
    agent_last_seen_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("agent last seen at")
    )

    # The satisfaction survey (messaging.csat): asked when the session was
    # closed, answered by the customer's next message if it is a rating.
    csat_asked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("survey sent at"))
    csat_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("satisfaction rating")
    )
    csat_comment = models.CharField(
        max_length=1000, blank=True, verbose_name=_("satisfaction comment")
    )
    csat_answered_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("survey answered at")
    )
    # Since when it waits for a person (the AI handed off, it was queued to a
    # department, the customer wrote while the AI stays out); cleared when an
    # agent is assigned. Automatic assignment takes the oldest first.
    waiting_since = models.DateTimeField(null=True, blank=True, verbose_name=_("waiting since"))

    tabulations = models.ManyToManyField(
        "contacts.Tabulation",
        through="sessions_app.SessionTabulation",
        related_name="sessions",
        verbose_name=_("tags"),
    )

    started_at = models.DateTimeField(auto_now_add=True, verbose_name=_("started at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    last_message_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last message at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

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
            models.Index(fields=["organization", "csat_rating"]),
            models.Index(fields=["organization", "csat_answered_at"]),
            # The console's live list asks for the latest change.
            models.Index(fields=["organization", "updated_at"]),
            models.Index(
                fields=["assigned_department", "waiting_since"],
                condition=Q(waiting_since__isnull=False, assigned_agent__isnull=True),
                name="session_waiting_per_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} · {self.get_status_display()}"


class SessionTabulation(TagLink):
    session = models.ForeignKey(
        ChatSession,
        on_delete=models.CASCADE,
        related_name="session_tabulations",
        verbose_name=_("session"),
    )
    tabulation = models.ForeignKey(
        "contacts.Tabulation",
        on_delete=models.CASCADE,
        related_name="session_tabulations",
        verbose_name=_("tag"),
    )

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

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="session_events",
        verbose_name=_("organization"),
    )
    session = models.ForeignKey(
        ChatSession, on_delete=models.CASCADE, related_name="events", verbose_name=_("session")
    )
    # Machine-readable: status_changed, ai_blocked, ai_unblocked, assigned,
    # tag_added, tag_removed, takeover, command, window_expired, ...
    code = models.CharField(max_length=40, verbose_name=_("code"))
    text = models.CharField(
        max_length=500, help_text=_("Human-readable summary."), verbose_name=_("text")
    )
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))
    # Who caused it: "agent:<username>", "api:<key name>", "system", "phone".
    actor = models.CharField(max_length=200, blank=True, verbose_name=_("actor"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("session event")
        verbose_name_plural = _("session events")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["session", "created_at"])]

    def __str__(self) -> str:
        return self.text
