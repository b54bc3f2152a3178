"""Contacts and tabulations for integrators. Thin views: validate, call a service, serialize."""

import re

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from contacts import selectors, services
from contacts.models import Contact, Tabulation
from contacts.serializers import (
    PHONE_PATTERN,
    ContactCreateSerializer,
    ContactSerializer,
    ContactUpdateSerializer,
    TabulationIdsSerializer,
    TabulationSerializer,
    TabulationWriteSerializer,
)
from core.api import get_scoped_or_404
from core.errors import NotFound, Unprocessable, ValidationError
from core.schema import delete_body, links
from core.strict import StrictBooleanFilter

CONTACT_EXAMPLE = OpenApiExample(
    "Contact",
    value={
        "id": "5f0c7c1e-8a43-4f0e-9a57-2b0d2c1f7a10",
        "name": "Maria Souza",
        "phone": "5511987654321",
        "email": "maria@example.com",
        "externalId": "crm-123",
        "bypassBots": False,
        "source": None,
        "profilePictureUrl": "",
        "tabulations": [
            {
                "id": "0b8f7c3a-3b9e-4c55-9d2c-0e6e1a9d1f20",
                "name": "Lead",
                "backgroundColor": "#ff9900",
            }
        ],
        "createdAt": "2026-01-05T12:00:00Z",
        "updatedAt": "2026-01-05T12:00:00Z",
    },
    response_only=True,
)
TABULATION_EXAMPLE = OpenApiExample(
    "Tabulation",
    value={
        "id": "0b8f7c3a-3b9e-4c55-9d2c-0e6e1a9d1f20",
        "name": "Lead",
        "description": "Asked for a quote",
        "backgroundColor": "#ff9900",
        "autoTabulation": False,
        "active": True,
        "createdAt": "2026-01-05T12:00:00Z",
        "updatedAt": "2026-01-05T12:00:00Z",
    },
    response_only=True,
)


class ContactFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Name, phone or email.")
    tabulationId = django_filters.UUIDFilter(field_name="contact_tabulations__tabulation_id")
    bypassBots = StrictBooleanFilter(field_name="bypass_bots")
    externalId = django_filters.CharFilter(field_name="external_id")

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return selectors.contact_search(queryset, value)


def _contact(request, contact_id) -> Contact:
    return get_scoped_or_404(
        selectors.contact_list(organization=request_organization(request)), contact_id, "contact"
    )


def _contact_response(contact: Contact, http_status=status.HTTP_200_OK) -> Response:
    # Reload through the selector so tags written just now are in the answer.
    fresh = selectors.contact_list(organization=contact.organization_id).get(pk=contact.pk)
    return Response(ContactSerializer(fresh).data, status=http_status)


class ContactListCreateView(generics.ListAPIView):
    queryset = Contact.objects.none()  # for the schema; get_queryset scopes
    serializer_class = ContactSerializer
    filterset_class = ContactFilter

    def get_queryset(self):
        return selectors.contact_list(organization=request_organization(self.request)).distinct()

    @extend_schema(summary="List contacts", examples=[CONTACT_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a contact",
        extensions=links(
            201,
            {"contact_id": "$response.body#/id"},
            "GET /api/v1/contacts/{contact_id}",
            "PATCH /api/v1/contacts/{contact_id}",
            "GET /api/v1/sessions/by-contact/{contact_id}",
            "POST /api/v1/contacts/{contact_id}/tabulations",
        ),
        request=ContactCreateSerializer,
        responses={201: ContactSerializer},
        examples=[
            OpenApiExample(
                "New contact",
                value={"phone": "+55 (11) 98765-4321", "name": "Maria Souza"},
                request_only=True,
            ),
            CONTACT_EXAMPLE,
        ],
    )
    def post(self, request):
        serializer = ContactCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = services.contact_create(
            organization=request_organization(request), **serializer.validated_data
        )
        return _contact_response(contact, status.HTTP_201_CREATED)


class ContactDetailView(APIView):
    @extend_schema(summary="Get a contact", responses=ContactSerializer, examples=[CONTACT_EXAMPLE])
    def get(self, request, contact_id):
        return Response(ContactSerializer(_contact(request, contact_id)).data)

    @extend_schema(
        summary="Update a contact",
        request=ContactUpdateSerializer,
        responses=ContactSerializer,
        examples=[
            OpenApiExample("Mute the bots", value={"bypassBots": True}, request_only=True),
            CONTACT_EXAMPLE,
        ],
    )
    def patch(self, request, contact_id):
        contact = _contact(request, contact_id)
        serializer = ContactUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = services.contact_update(contact=contact, **serializer.validated_data)
        return _contact_response(contact)


class ContactByPhoneView(APIView):
    @extend_schema(
        summary="Find a contact by phone, in any format",
        description=(
            "Accepts `+55 (11) 98765-4321`, `5511987654321`, a national number such as "
            "`11987654321` (read in the organization's default country) and Brazilian "
            "mobiles with or without the 9th digit."
        ),
        parameters=[
            OpenApiParameter(
                "phone", {"type": "string", "pattern": PHONE_PATTERN}, OpenApiParameter.PATH
            )
        ],
        responses=ContactSerializer,
        examples=[CONTACT_EXAMPLE],
    )
    def get(self, request, phone):
        organization = request_organization(request)
        if not re.match(PHONE_PATTERN, phone):
            raise ValidationError(
                _("Not a phone number."), details={"phone": ["Must be + and 8-15 digits."]}
            )
        try:
            normalized = services.contact_phone_normalize(organization=organization, phone=phone)
        except Unprocessable:
            normalized = None  # no country has it: no contact has it either
        contact = normalized and selectors.contact_by_phone(
            organization=organization, phone=normalized
        )
        if contact is None:
            raise NotFound(_("No contact with this phone."))
        return Response(ContactSerializer(contact).data)


class ContactTabulationsView(APIView):
    @extend_schema(
        summary="Tag a contact (idempotent)",
        request=TabulationIdsSerializer,
        responses=ContactSerializer,
        examples=[
            OpenApiExample(
                "Tags",
                value={"tabulationIds": ["0b8f7c3a-3b9e-4c55-9d2c-0e6e1a9d1f20"]},
                request_only=True,
            ),
            CONTACT_EXAMPLE,
        ],
    )
    def post(self, request, contact_id):
        contact, tabulations = self._parse(request, contact_id)
        services.contact_tabulations_add(contact=contact, tabulations=tabulations)
        return _contact_response(contact)

    @extend_schema(
        summary="Untag a contact (absent tags are a no-op)",
        request=TabulationIdsSerializer,
        extensions=delete_body(),
        responses=ContactSerializer,
        examples=[CONTACT_EXAMPLE],
    )
    def delete(self, request, contact_id):
        contact, tabulations = self._parse(request, contact_id)
        services.contact_tabulations_remove(contact=contact, tabulations=tabulations)
        return _contact_response(contact)

    def _parse(self, request, contact_id):
        contact = _contact(request, contact_id)
        serializer = TabulationIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data["tabulationIds"]
        return contact, selectors.tabulations_from_ids(contact.organization_id, ids)


class TabulationListCreateView(generics.ListAPIView):
    queryset = Tabulation.objects.none()
    serializer_class = TabulationSerializer

    def get_queryset(self):
        return selectors.tabulation_list(organization=request_organization(self.request))

    @extend_schema(summary="List tabulations", examples=[TABULATION_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a tabulation",
        extensions=links(
            201,
            {"tabulation_id": "$response.body#/id"},
            "GET /api/v1/tabulations/{tabulation_id}",
            "PATCH /api/v1/tabulations/{tabulation_id}",
            "DELETE /api/v1/tabulations/{tabulation_id}",
        ),
        request=TabulationWriteSerializer,
        responses={201: TabulationSerializer},
        examples=[
            OpenApiExample(
                "New tabulation",
                value={"name": "Lead", "backgroundColor": "#ff9900"},
                request_only=True,
            ),
            TABULATION_EXAMPLE,
        ],
    )
    def post(self, request):
        serializer = TabulationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tabulation = services.tabulation_create(
            organization=request_organization(request), **serializer.validated_data
        )
        return Response(TabulationSerializer(tabulation).data, status=status.HTTP_201_CREATED)


class TabulationDetailView(APIView):
    def _get(self, request, tabulation_id):
        return get_scoped_or_404(
            selectors.tabulation_list(organization=request_organization(request)),
            tabulation_id,
            "tabulation",
        )

    @extend_schema(
        summary="Get a tabulation", responses=TabulationSerializer, examples=[TABULATION_EXAMPLE]
    )
    def get(self, request, tabulation_id):
        return Response(TabulationSerializer(self._get(request, tabulation_id)).data)

    @extend_schema(
        summary="Update a tabulation",
        request=TabulationWriteSerializer(partial=True),
        responses=TabulationSerializer,
        examples=[TABULATION_EXAMPLE],
    )
    def patch(self, request, tabulation_id):
        tabulation = self._get(request, tabulation_id)
        serializer = TabulationWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tabulation = services.tabulation_update(tabulation=tabulation, **serializer.validated_data)
        return Response(TabulationSerializer(tabulation).data)

    @extend_schema(summary="Delete a tabulation (409 while in use)", responses={204: None})
    def delete(self, request, tabulation_id):
        services.tabulation_delete(tabulation=self._get(request, tabulation_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
