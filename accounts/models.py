import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """The tenant. Every other row belongs to one, directly or via its parent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    is_active = models.BooleanField(default=True)
    timezone = models.CharField(max_length=64, default="America/Sao_Paulo")
    # Region used to read phone numbers typed without a country code.
    default_country = models.CharField(max_length=2, default="BR")
    session_timeout_hours = models.PositiveIntegerField(
        default=24, help_text="Idle sessions are closed after this many hours."
    )
    human_takeover_minutes = models.PositiveIntegerField(
        default=60, help_text="How long an agent's reply blocks the AI."
    )
    transcription_language = models.CharField(max_length=8, default="pt")
    # Per-organization overrides of the transcription models and prompts
    # (keys: audioModel, visionModel, imagePrompt, pdfPrompt).
    transcription_settings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    # First characters of the key, to tell keys apart without revealing them.
    hint = models.CharField(max_length=16, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

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
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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


class Agent(models.Model):
    """A Django staff user's membership in one organization.

    ``departments`` empty means the agent sees every department's sessions.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="agents")
    departments = models.ManyToManyField(Department, blank=True, related_name="agents")
    display_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    @property
    def name(self) -> str:
        return str(self)
