from django.db.models import Q, QuerySet

from canned.models import CannedResponse


def canned_list(*, organization, search: str = "") -> QuerySet[CannedResponse]:
    """An organization's responses; ``search`` matches the short code or the content."""
    queryset = CannedResponse.objects.filter(organization=organization)
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(Q(short_code__icontains=search) | Q(content__icontains=search))
    return queryset.order_by("short_code", "id")


def canned_for_agent(*, organization, department_ids: list) -> QuerySet[CannedResponse]:
    """What an agent is offered in the reply box: the responses for everyone,
    plus their departments' (``department_ids`` empty: an agent who works every
    department sees every response)."""
    queryset = canned_list(organization=organization)
    if department_ids:
        queryset = queryset.filter(Q(department__isnull=True) | Q(department__in=department_ids))
    return queryset
