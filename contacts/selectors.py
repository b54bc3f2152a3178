"""Reads for this app (see docs/STYLE.md)."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from contacts.models import Contact, ContactTabulation, Tabulation
from core.errors import Unprocessable


def _contact_tabulations_prefetch() -> Prefetch:
    return Prefetch(
        "contact_tabulations",
        queryset=ContactTabulation.objects.select_related("tabulation").order_by("created_at"),
    )


def contact_list(*, organization) -> QuerySet[Contact]:
    """Contacts of one organization with their tags loaded in one extra query."""
    return (
        Contact.objects.filter(organization=organization)
        .prefetch_related(_contact_tabulations_prefetch())
        .order_by("-created_at", "-id")
    )


def contact_search(queryset: QuerySet[Contact], term: str) -> QuerySet[Contact]:
    term = (term or "").strip()
    if not term:
        return queryset
    condition = Q(name__icontains=term) | Q(email__icontains=term)
    digits = "".join(ch for ch in term if ch.isdigit())
    if digits:
        condition |= Q(phone__contains=digits)
    return queryset.filter(condition)


def contact_get(*, organization, contact_id) -> Contact | None:
    return contact_list(organization=organization).filter(pk=contact_id).first()


def contact_by_phone(*, organization, phone: str) -> Contact | None:
    """``phone`` already normalized (see contacts.services.contact_phone_normalize)."""
    return contact_list(organization=organization).filter(phone=phone).first()


def tabulation_list(*, organization) -> QuerySet[Tabulation]:
    return Tabulation.objects.filter(organization=organization).order_by("name", "id")


def tabulations_from_ids(organization, ids) -> list[Tabulation]:
    """Resolve a request's ids within the organization: an unknown (or another
    tenant's) id is a 422 on ``tabulationIds``, never a leak."""
    found = list(Tabulation.objects.filter(organization=organization, pk__in=list(ids)))
    missing = sorted({str(i) for i in ids} - {str(t.id) for t in found})
    if missing:
        raise Unprocessable(
            _("Unknown tabulations."),
            details={"tabulationIds": [f"Unknown: {', '.join(missing)}."]},
        )
    return found
