"""Query filters of ``GET /sessions``. Each one is backed by an index on ChatSession."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from accounts.authentication import request_organization
from contacts.models import Contact
from contacts.selectors import contact_search
from core.strict import StrictBooleanFilter
from sessions_app.models import ChatSession, SessionStatus

ORDERINGS = {
    "lastMessageAt": "last_message_at",
    "createdAt": "created_at",
}


class SessionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SessionStatus.choices)
    contactId = django_filters.UUIDFilter(field_name="contact_id")
    instanceId = django_filters.UUIDFilter(field_name="instance_id")
    assignedAgentId = django_filters.UUIDFilter(field_name="assigned_agent_id")
    assignedDepartmentId = django_filters.UUIDFilter(field_name="assigned_department_id")
    externalId = django_filters.CharFilter(field_name="external_id")
    aiBlocked = StrictBooleanFilter(method="filter_ai_blocked")
    tabulationId = django_filters.UUIDFilter(field_name="session_tabulations__tabulation_id")
    csatRating = django_filters.MultipleChoiceFilter(
        field_name="csat_rating",
        choices=[(str(rating), str(rating)) for rating in range(1, 6)],
        label="Satisfaction rating 1-5 (repeatable).",
    )
    createdFrom = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    createdTo = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")
    lastMessageFrom = django_filters.IsoDateTimeFilter(
        field_name="last_message_at", lookup_expr="gte"
    )
    lastMessageTo = django_filters.IsoDateTimeFilter(
        field_name="last_message_at", lookup_expr="lte"
    )
    search = django_filters.CharFilter(method="filter_search", label="Contact name or phone.")
    ordering = django_filters.OrderingFilter(
        fields=tuple((model, api) for api, model in ORDERINGS.items()),
        label="lastMessageAt, -lastMessageAt (default), createdAt or -createdAt.",
    )

    class Meta:
        model = ChatSession
        fields: list[str] = []

    def filter_ai_blocked(self, queryset, name, value):
        # The same test every dispatch decision makes: a block is live while
        # aiBlockedUntil is in the future, whether or not beat cleared it yet.
        live = Q(ai_blocked_until__gt=timezone.now())
        return queryset.filter(live) if value else queryset.exclude(live)

    def filter_search(self, queryset, name, value):
        contacts = contact_search(
            Contact.objects.filter(organization_id=self.request_organization_id()), value
        )
        return queryset.filter(contact__in=contacts.values("id"))

    def request_organization_id(self):
        return request_organization(self.request).id
