"""Writes for this app (see STYLE.md)."""

import re

from django.db import IntegrityError, transaction

from contacts.models import Contact, ContactTabulation, Tabulation
from contacts.phones import InvalidPhone, normalize_phone
from core.errors import Conflict, ValidationError

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
    """A phone as a person typed it → the stored E.164 digits (400 when unreadable)."""
    try:
        return normalize_phone(phone, organization.default_country or "BR")
    except InvalidPhone:
        raise ValidationError(
            "Not a valid phone number.", details={"phone": ["Not a valid phone number."]}
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
            "A contact with this phone already exists.",
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
            "A contact with this phone already exists.",
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
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(contact, name, value)
    if fields:
        contact.save(update_fields=[*fields, "updated_at"])
    return contact


def _tabulations_of(organization_id, tabulations) -> list[Tabulation]:
    """Tabulations must be the organization's own: another tenant's id is a 400, not a leak."""
    tabulations = list(tabulations)
    foreign = [str(t.id) for t in tabulations if t.organization_id != organization_id]
    if foreign:
        raise ValidationError(
            "Unknown tabulations.", details={"tabulationIds": [f"Unknown: {', '.join(foreign)}."]}
        )
    return tabulations


def contact_tabulations_add(*, contact: Contact, tabulations, user=None) -> list[Tabulation]:
    """Idempotent: a tag already on the contact stays as it was."""
    tabulations = _tabulations_of(contact.organization_id, tabulations)
    ContactTabulation.objects.bulk_create(
        [ContactTabulation(contact=contact, tabulation=t, added_by=user) for t in tabulations],
        ignore_conflicts=True,
    )
    return tabulations


def contact_tabulations_remove(*, contact: Contact, tabulations) -> list[Tabulation]:
    """Removing a tag the contact does not have is a no-op."""
    tabulations = _tabulations_of(contact.organization_id, tabulations)
    ContactTabulation.objects.filter(contact=contact, tabulation__in=tabulations).delete()
    return tabulations


def _validate_color(value: str) -> None:
    if not _COLOR.match(value or ""):
        raise ValidationError(
            "backgroundColor must look like #RRGGBB.",
            details={"backgroundColor": ["Must look like #RRGGBB."]},
        )


def _tabulation_save(tabulation: Tabulation, update_fields: list[str] | None = None) -> Tabulation:
    try:
        with transaction.atomic():
            tabulation.save(update_fields=update_fields)
    except IntegrityError:
        raise Conflict(
            "A tabulation with this name already exists.", code="tabulation_name_taken"
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
        raise ValidationError("A tabulation needs a name.", details={"name": ["Required."]})
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
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.")
    if "background_color" in fields:
        _validate_color(fields["background_color"])
        fields["background_color"] = fields["background_color"].lower()
    if "name" in fields:
        if not (fields["name"] or "").strip():
            raise ValidationError("A tabulation needs a name.", details={"name": ["Required."]})
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
            "This tabulation is in use.",
            code="tabulation_in_use",
            details={"contacts": contacts, "sessions": sessions},
        )
    locked.delete()
