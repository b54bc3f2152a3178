import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

# The API's limits (canned.services enforces them for every entry point).
SHORT_CODE_PATTERN = r"^[a-z0-9_-]{1,32}$"
CONTENT_MAX_LENGTH = 4096


class CannedResponse(models.Model):
    """A reply an agent inserts by its short code (``/saudacao``) and edits
    before sending. ``department`` set: only that department's agents are
    offered it in the console; empty: everyone."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="canned_responses",
        verbose_name=_("organization"),
    )
    short_code = models.CharField(
        max_length=32,
        help_text=_("Lowercase letters, digits, - and _ (typed after / in the reply box)."),
        verbose_name=_("short code"),
    )
    content = models.TextField(
        max_length=CONTENT_MAX_LENGTH,
        help_text=_(
            "Variables: {{contact.name}}, {{contact.firstName}}, {{contact.phone}}, "
            "{{agent.name}}, {{organization.name}}, {{session.id}}."
        ),
        verbose_name=_("content"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        # A deleted department's responses stay (visible to everyone)
        # rather than vanish with it.
        on_delete=models.SET_NULL,
        related_name="canned_responses",
        verbose_name=_("department"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["short_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "short_code"], name="canned_short_code_unique_per_org"
            )
        ]
        indexes = [models.Index(fields=["organization", "department"])]

    def __str__(self) -> str:
        return f"/{self.short_code}"
