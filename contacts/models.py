import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Contact(models.Model):
    """A customer, by phone number, within one organization.

    ``phone`` is E.164 digits without '+'. Brazilian mobiles are stored in
    their 9-digit form, so ``553187654321`` and ``5531987654321`` land on
    the same row (see contacts.phones). It is empty only for senders we
    know solely by an ``@lid`` id.
    """

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organization"),
    )
    phone = models.CharField(max_length=20, null=True, blank=True, verbose_name=_("phone"))
    name = models.CharField(max_length=200, blank=True, verbose_name=_("name"))
    email = models.EmailField(blank=True, verbose_name=_("email"))
    source_instance = models.ForeignKey(
        "providers.Instance",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The instance this contact first wrote to."),
        verbose_name=_("source instance"),
    )
    external_id = models.CharField(max_length=200, blank=True, verbose_name=_("external ID"))
    bypass_bots = models.BooleanField(
        default=False,
        help_text=_("Never hand this contact's messages to the AI."),
        verbose_name=_("AI off for this contact"),
    )
    profile_picture_url = models.URLField(
        max_length=1000, blank=True, verbose_name=_("profile picture URL")
    )
    tabulations = models.ManyToManyField(
        "contacts.Tabulation",
        through="contacts.ContactTabulation",
        related_name="contacts",
        verbose_name=_("tags"),
    )
    # Set when the contact's data was erased on request (LGPD): the row stays
    # as an anonymous tombstone so sessions keep counting in reports.
    erased_at = models.DateTimeField(null=True, blank=True, verbose_name=_("erased at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "phone"],
                condition=Q(phone__isnull=False),
                name="contact_phone_unique_per_org",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "name"]),
            models.Index(fields=["organization", "external_id"]),
            models.Index(fields=["organization", "created_at"]),
            models.Index(fields=["organization", "bypass_bots"]),
        ]

    def __str__(self) -> str:
        return self.name or (f"+{self.phone}" if self.phone else str(self.id))


class ContactWhatsAppId(models.Model):
    """Every WhatsApp id a contact was seen under (``…@s.whatsapp.net``, ``…@lid``).

    WhatsApp hides phone numbers behind ``@lid`` ids in some chats; remembering
    the pairing lets a later lid-only message find the right contact.
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, verbose_name=_("organization")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="whatsapp_ids", verbose_name=_("contact")
    )
    wa_id = models.CharField(max_length=100, verbose_name=_("WhatsApp id"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("WhatsApp id")
        verbose_name_plural = _("WhatsApp ids")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "wa_id"], name="contact_wa_id_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.wa_id


class Tabulation(models.Model):
    """A tag for contacts and sessions (falecomigo's "tabulação")."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="tabulations",
        verbose_name=_("organization"),
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    background_color = models.CharField(
        max_length=7, default="#ffffff", verbose_name=_("background color")
    )
    auto_tabulation = models.BooleanField(default=False, verbose_name=_("automatic tag"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("tabulation")
        verbose_name_plural = _("tabulations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="tabulation_name_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TagLink(models.Model):
    """A tag (``Tabulation``) put on something, by whom and when: the shape
    of a contact's tags and a session's, each in a table of its own with
    its foreign keys and its uniqueness."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        abstract = True


class ContactTabulation(TagLink):
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="contact_tabulations",
        verbose_name=_("contact"),
    )
    tabulation = models.ForeignKey(
        Tabulation,
        on_delete=models.CASCADE,
        related_name="contact_tabulations",
        verbose_name=_("tag"),
    )

    class Meta:
        verbose_name = _("contact tabulation")
        verbose_name_plural = _("contact tabulations")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "tabulation"], name="contact_tabulation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} · {self.tabulation}"
