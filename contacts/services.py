"""Writes for this app (see docs/STYLE.md)."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from contacts.models import Contact, ContactTabulation, ContactWhatsAppId, Tabulation
from contacts.phones import InvalidPhone, normalize_phone
from core.errors import Conflict, Unprocessable, ValidationError

# --- API writes: contacts, contact tags, tabulations ----------------------


_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
CONTACT_EDITABLE_FIELDS = ("name", "email", "external_id", "bypass_bots")
TABULATION_EDITABLE_FIELDS = (
    "name",
    "description",
    "background_color",
    "auto_tabulation",
    "is_active",
)


def contact_phone_normalize(*, organization, phone: str) -> str:
    """A phone as a person typed it → the stored E.164 digits (422 when no
    country has that number)."""
    try:
        return normalize_phone(phone, organization.default_country or "BR")
    except InvalidPhone:
        raise Unprocessable(
            _("Not a valid phone number."),
            details={"phone": [gettext_noop("Not a valid phone number.")]},
        ) from None


def contact_create(
    *,
    organization,
    phone: str,
    name: str = "",
    email: str = "",
    external_id: str = "",
    bypass_bots: bool = False,
) -> Contact:
    """A contact by phone; the same number twice (in any format) is a 409."""
    normalized = contact_phone_normalize(organization=organization, phone=phone)
    existing = Contact.objects.filter(organization=organization, phone=normalized).first()
    if existing is not None:
        raise Conflict(
            _("A contact with this phone already exists."),
            code="contact_already_exists",
            details={"contactId": str(existing.id)},
        )
    try:
        with transaction.atomic():
            return Contact.objects.create(
                organization=organization,
                phone=normalized,
                name=name,
                email=email,
                external_id=external_id,
                bypass_bots=bypass_bots,
            )
    except IntegrityError:
        # A concurrent create of the same number won the unique index.
        existing = Contact.objects.get(organization=organization, phone=normalized)
        raise Conflict(
            _("A contact with this phone already exists."),
            code="contact_already_exists",
            details={"contactId": str(existing.id)},
        ) from None


def contact_get_or_create_for_phone(*, organization, phone: str) -> tuple[Contact, bool]:
    """The contact for a typed phone number, created when unknown (business-initiated chats)."""
    try:
        return contact_create(organization=organization, phone=phone), True
    except Conflict as exc:
        return Contact.objects.get(pk=exc.details["contactId"]), False


def contact_update(*, contact: Contact, **fields) -> Contact:
    unknown = set(fields) - set(CONTACT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Cannot change %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(contact, name, value)
    if fields:
        contact.save(update_fields=[*fields, "updated_at"])
    return contact


def contact_phone_update(*, contact: Contact, phone: str) -> Contact:
    """A corrected phone (the console's change form), normalized like a new one."""
    normalized = contact_phone_normalize(organization=contact.organization, phone=phone)
    taken = (
        Contact.objects.filter(organization_id=contact.organization_id, phone=normalized)
        .exclude(pk=contact.pk)
        .first()
    )
    if taken is not None:
        raise Conflict(
            _("A contact with this phone already exists."),
            code="contact_already_exists",
            details={"contactId": str(taken.id)},
        )
    contact.phone = normalized
    try:
        with transaction.atomic():
            contact.save(update_fields=["phone", "updated_at"])
    except IntegrityError:
        raise Conflict(
            _("A contact with this phone already exists."), code="contact_already_exists"
        ) from None
    return contact


def tabulations_owned(organization_id, tabulations) -> list[Tabulation]:
    """Tabulations must be the organization's own: another tenant's id is a 422, not a leak."""
    tabulations = list(tabulations)
    foreign = [str(t.id) for t in tabulations if t.organization_id != organization_id]
    if foreign:
        raise Unprocessable(
            _("Unknown tabulations."),
            details={"tabulationIds": [f"Unknown: {', '.join(foreign)}."]},
        )
    return tabulations


def contact_tabulations_add(*, contact: Contact, tabulations, user=None) -> list[Tabulation]:
    """Idempotent: a tag already on the contact stays as it was."""
    tabulations = tabulations_owned(contact.organization_id, tabulations)
    ContactTabulation.objects.bulk_create(
        [ContactTabulation(contact=contact, tabulation=t, added_by=user) for t in tabulations],
        ignore_conflicts=True,
    )
    return tabulations


def contact_tabulations_remove(*, contact: Contact, tabulations) -> list[Tabulation]:
    """Removing a tag the contact does not have is a no-op."""
    tabulations = tabulations_owned(contact.organization_id, tabulations)
    ContactTabulation.objects.filter(contact=contact, tabulation__in=tabulations).delete()
    return tabulations


def _validate_color(value: str) -> None:
    if not _COLOR.match(value or ""):
        raise ValidationError(
            _("backgroundColor must look like #RRGGBB."),
            details={"backgroundColor": [gettext_noop("Must look like #RRGGBB.")]},
        )


def _tabulation_save(tabulation: Tabulation, update_fields: list[str] | None = None) -> Tabulation:
    try:
        with transaction.atomic():
            tabulation.save(update_fields=update_fields)
    except IntegrityError:
        raise Conflict(
            _("A tabulation with this name already exists."), code="tabulation_name_taken"
        ) from None
    return tabulation


def tabulation_create(
    *,
    organization,
    name: str,
    description: str = "",
    background_color: str = "#ffffff",
    auto_tabulation: bool = False,
    is_active: bool = True,
) -> Tabulation:
    _validate_color(background_color)
    if not (name or "").strip():
        raise ValidationError(
            _("A tabulation needs a name."), details={"name": [gettext_noop("Required.")]}
        )
    return _tabulation_save(
        Tabulation(
            organization=organization,
            name=name.strip(),
            description=description,
            background_color=background_color.lower(),
            auto_tabulation=auto_tabulation,
            is_active=is_active,
        )
    )


def tabulation_update(*, tabulation: Tabulation, **fields) -> Tabulation:
    unknown = set(fields) - set(TABULATION_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Cannot change %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    if "background_color" in fields:
        _validate_color(fields["background_color"])
        fields["background_color"] = fields["background_color"].lower()
    if "name" in fields:
        if not (fields["name"] or "").strip():
            raise ValidationError(
                _("A tabulation needs a name."), details={"name": [gettext_noop("Required.")]}
            )
        fields["name"] = fields["name"].strip()
    for name, value in fields.items():
        setattr(tabulation, name, value)
    if not fields:
        return tabulation
    return _tabulation_save(tabulation, update_fields=[*fields, "updated_at"])


@transaction.atomic
def tabulation_delete(*, tabulation: Tabulation) -> None:
    """Refused while a contact or a session carries the tag: history keeps its meaning."""
    locked = Tabulation.objects.select_for_update().get(pk=tabulation.pk)
    contacts = locked.contact_tabulations.count()
    sessions = locked.session_tabulations.count()
    if contacts or sessions:
        raise Conflict(
            _("This tabulation is in use."),
            code="tabulation_in_use",
            details={"contacts": contacts, "sessions": sessions},
        )
    locked.delete()


# --- inbound webhooks: who wrote? --------------------------------------------


def contact_get_or_create_from_inbound(
    *,
    organization,
    instance=None,
    phone: str | None,
    wa_ids=(),
    name: str = "",
) -> tuple[Contact, bool]:
    """The contact a gateway message belongs to; created on first sight.

    ``phone`` is canonical E.164 digits (or None when WhatsApp hid it behind
    an ``@lid``); ``wa_ids`` every JID the sender was seen under. The phone
    wins: a lid first seen alone is re-pointed at the phone's contact once
    a message reveals both, and a lid-only contact adopts the phone when no
    other contact has it. Concurrent first messages end on one row: the
    unique constraints (phone, wa_id per organization) let one insert win
    and the loser reads the winner's row.
    """
    wa_ids = tuple(dict.fromkeys(w for w in wa_ids if w))
    for _attempt in range(3):
        try:
            return _contact_from_inbound(
                organization=organization, instance=instance, phone=phone, wa_ids=wa_ids, name=name
            )
        except IntegrityError:
            continue
    raise RuntimeError("could not get or create the inbound contact")  # pragma: no cover


def _contact_from_inbound(*, organization, instance, phone, wa_ids, name) -> tuple[Contact, bool]:
    known = (
        list(
            ContactWhatsAppId.objects.filter(organization=organization, wa_id__in=wa_ids)
            .select_related("contact")
            .order_by("id")
        )
        if wa_ids
        else []
    )
    linked = [row.contact for row in known]
    created = False
    contact = None
    if phone:
        contact = next((c for c in linked if c.phone == phone), None)
        if contact is None:
            contact = Contact.objects.filter(organization=organization, phone=phone).first()
        if contact is None:
            orphan = next((c for c in linked if not c.phone), None)
            if orphan is not None:
                # A lid-only contact learns its phone. The savepoint turns a
                # concurrent claim of the same phone into a retry.
                with transaction.atomic():
                    Contact.objects.filter(pk=orphan.pk, phone__isnull=True).update(phone=phone)
                orphan.phone = phone
                contact = orphan
    elif linked:
        contact = linked[0]
    if contact is None:
        with transaction.atomic():
            contact = Contact.objects.create(
                organization=organization,
                phone=phone or None,
                name=(name or "")[:200],
                source_instance=instance,
            )
            # Inside the same savepoint: a lid-only twin created concurrently
            # makes this insert fail, and the retry finds the winner.
            _remember_wa_ids(organization, contact, wa_ids, known=(), strict=not phone)
        return contact, True
    _remember_wa_ids(organization, contact, wa_ids, known=known)
    if name and not contact.name:
        Contact.objects.filter(pk=contact.pk, name="").update(name=name[:200])
        contact.name = name[:200]
    return contact, created


def _remember_wa_ids(organization, contact, wa_ids, *, known, strict: bool = False) -> None:
    seen = {row.wa_id: row for row in known}
    missing = [w for w in wa_ids if w not in seen]
    stolen = [row.pk for row in known if row.contact_id != contact.pk]
    if stolen:
        ContactWhatsAppId.objects.filter(pk__in=stolen).update(contact=contact)
    if not missing:
        return
    rows = [ContactWhatsAppId(organization=organization, contact=contact, wa_id=w) for w in missing]
    if strict:
        ContactWhatsAppId.objects.bulk_create(rows)
    else:
        ContactWhatsAppId.objects.bulk_create(rows, ignore_conflicts=True)
