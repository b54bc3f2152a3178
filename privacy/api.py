"""LGPD requests for integrators: erase a contact, list the erasures.

Thin views: validate, call a service, serialize.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from contacts.models import Contact
from core.api import LimitedJSONParser, get_scoped_or_404
from privacy import selectors
from privacy.models import Erasure, ErasureSource
from privacy.serializers import EraseRequestSerializer, ErasureSerializer
from privacy.services.erasure import contact_erase

ERASURE_EXAMPLE = OpenApiExample(
    "Erasure",
    value={
        "id": "3c1d6a0e-55f1-4b7c-8d0e-1f2a3b4c5d6e",
        "contactId": "5f0c7c1e-8a43-4f0e-9a57-2b0d2c1f7a10",
        "source": "api",
        "requestedBy": "api:crm",
        "reason": "Pedido do titular em 2026-03-02 (protocolo 1234)",
        "counts": {"messages": 42, "mediaFiles": 3, "sessions": 2, "webhookInbox": 40},
        "createdAt": "2026-03-02T14:00:00Z",
    },
    response_only=True,
    status_codes=["200", "201"],
)


def api_actor(request) -> str:
    return f"api:{request.auth.name}"


class ContactEraseView(APIView):
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        summary="Erase a contact's personal data (LGPD), idempotent",
        description=(
            "Blanks or deletes every message text, media file, transcription, edit, "
            "assistant run detail, delivery payload and stored webhook about the contact, "
            'keeps the contact as an anonymous tombstone ("Contato removido") and its '
            "sessions without content, and records the erasure. 201 the first time; "
            "200 with the same record when the contact was already erased. "
            "See docs/PRIVACY.md."
        ),
        request=EraseRequestSerializer,
        responses={201: ErasureSerializer, 200: ErasureSerializer},
        examples=[
            OpenApiExample(
                "Erase",
                value={"reason": "Pedido do titular em 2026-03-02 (protocolo 1234)"},
                request_only=True,
            ),
            ERASURE_EXAMPLE,
        ],
    )
    def post(self, request, contact_id):
        contact = get_scoped_or_404(
            Contact.objects.filter(organization=request_organization(request)),
            contact_id,
            "contact",
        )
        serializer = EraseRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        erasure, created = contact_erase(
            contact=contact,
            reason=serializer.validated_data["reason"],
            source=ErasureSource.API,
            requested_by=api_actor(request),
        )
        return Response(
            ErasureSerializer(erasure).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ErasureListView(generics.ListAPIView):
    queryset = Erasure.objects.none()  # for the schema; get_queryset scopes
    serializer_class = ErasureSerializer

    def get_queryset(self):
        return selectors.erasure_list(organization=request_organization(self.request))

    @extend_schema(summary="Erasures made, newest first", examples=[ERASURE_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
