import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """The tenant. Every other row belongs to one, directly or via its parent."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    slug = models.SlugField(max_length=200, unique=True, verbose_name=_("slug"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    timezone = models.CharField(
        max_length=64, default="America/Sao_Paulo", verbose_name=_("time zone")
    )
    # Region used to read phone numbers typed without a country code.
    default_country = models.CharField(
        max_length=2, default="BR", verbose_name=_("default country")
    )
    session_timeout_hours = models.PositiveIntegerField(
        default=24,
        help_text=_("Idle sessions are closed after this many hours."),
        verbose_name=_("session timeout (hours)"),
    )
    human_takeover_minutes = models.PositiveIntegerField(
        default=60,
        help_text=_("How long an agent's reply blocks the AI."),
        verbose_name=_("takeover minutes"),
    )
    transcription_language = models.CharField(
        max_length=8, default="pt", verbose_name=_("transcription language")
    )
    # Per-organization overrides of the transcription models and prompts
    # (keys: audioModel, visionModel, imagePrompt, pdfPrompt).
    transcription_settings = models.JSONField(
        default=dict, blank=True, verbose_name=_("transcription settings")
    )
    # The satisfaction survey sent when an agent or the AI closes a session
    # with a customer (messaging.csat). The texts are the customer's, so
    # their defaults are Portuguese whatever the console's language.
    csat_enabled = models.BooleanField(
        default=False,
        help_text=_("Ask the customer for a 1 to 5 rating when a session is closed."),
        verbose_name=_("satisfaction survey"),
    )
    csat_question = models.CharField(
        max_length=500,
        default="De 1 a 5, como foi o atendimento?",
        verbose_name=_("survey question"),
    )
    csat_thanks = models.CharField(
        max_length=500,
        default="Obrigado pela avaliação!",
        verbose_name=_("survey thanks"),
    )
    # Retention (LGPD art. 15–16): days after which a daily task erases
    # content (privacy.services.retention); null keeps it. Media may go sooner
    # than the text; a closed session's content goes after its own delay.
    retention_messages_days = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("keep message texts (days)")
    )
    retention_media_days = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("keep media files (days)")
    )
    retention_closed_sessions_days = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("keep closed sessions' content (days)")
    )
    # Agents must sign in with a code from an authenticator app (TOTP,
    # accounts.two_factor); an agent without one sets it up first.
    require_two_factor = models.BooleanField(
        default=False,
        help_text=_("Agents sign in with a code from an authenticator app too."),
        verbose_name=_("require two-factor sign-in"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.name)[:180] or "org"
            self.slug = f"{base}-{uuid.uuid4().hex[:6]}"
        super().save(*args, **kwargs)


class ApiKey(models.Model):
    """A bearer key for integrators. Only its SHA-256 is stored.

    Keys are 32 random bytes, so a fast hash is enough: there is nothing to
    brute-force, and lookup by hash is one indexed query.
    """

    PREFIX = "atd_"

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("organization"),
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    hashed_key = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("hashed key")
    )
    # First characters of the key, to tell keys apart without revealing them.
    hint = models.CharField(max_length=16, editable=False, verbose_name=_("hint"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def hash(raw_key: str) -> str:
        return hashlib.sha256(raw_key.encode()).hexdigest()

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class Department(models.Model):
    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name=_("organization"),
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    auto_assign = models.BooleanField(
        default=False,
        help_text=_("Give waiting conversations to the online agent with the most room."),
        verbose_name=_("automatic assignment"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="department_name_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Availability(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Agent(models.Model):
    """A Django staff user's membership in one organization.

    ``departments`` empty means the agent sees every department's sessions.
    """

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="agents",
        verbose_name=_("organization"),
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="agents", verbose_name=_("departments")
    )
    display_name = models.CharField(max_length=150, blank=True, verbose_name=_("display name"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    availability = models.CharField(
        max_length=8,
        choices=Availability.choices,
        default=Availability.OFFLINE,
        verbose_name=_("availability"),
    )
    max_concurrent_sessions = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Open conversations automatic assignment gives this agent at most; empty: no limit."
        ),
        verbose_name=_("maximum open conversations"),
    )
    # Any request of the agent's (throttled to a write a minute); availability
    # turns offline after AGENT_IDLE_OFFLINE_MINUTES without one.
    last_seen_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last seen at"))
    # Ties in automatic assignment go to the agent idle longest: the oldest.
    last_assigned_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("last assigned at")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    @property
    def name(self) -> str:
        return str(self)


class BusinessHours(models.Model):
    """When people answer: an organization's hours, or a department's own.

    Exactly one of ``organization`` (the default) and ``department`` (an
    override) is set; both are one-to-one so a session's hours come with its
    joins (``sessions_app.selectors.session_list``). ``weekly`` is a list of
    ``{"weekday": 0-6 (Monday 0), "open": "HH:MM", "close": "HH:MM"}``,
    ``holidays`` of ``{"date": "YYYY-MM-DD", "name": str}``
    (``accounts.business_hours`` validates and reads them).
    """

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.OneToOneField(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="business_hours",
        verbose_name=_("organization"),
    )
    department = models.OneToOneField(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="business_hours",
        verbose_name=_("department"),
    )
    enabled = models.BooleanField(default=False, verbose_name=_("enabled"))
    timezone = models.CharField(max_length=64, verbose_name=_("time zone"))
    weekly = models.JSONField(default=list, blank=True, verbose_name=_("weekly hours"))
    holidays = models.JSONField(default=list, blank=True, verbose_name=_("holidays"))
    out_of_office_message = models.TextField(blank=True, verbose_name=_("out-of-office message"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=True) ^ models.Q(department__isnull=True),
                name="business_hours_of_organization_or_department",
            )
        ]

    def __str__(self) -> str:
        return str(self.department or self.organization)
