"""LGPD requests for integrators: erase a contact, list the erasures.

Thin views: validate, call a service, serialize.
"""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_organization
from contacts import selectors as contact_selectors
from contacts.models import Contact
from contacts.services import contact_phone_normalize
from core.api import LimitedJSONParser, get_scoped_or_404
from core.errors import Conflict, NotFound
from core.schema import errors, links
from privacy import selectors
from privacy.models import Erasure, ErasureSource, Export, ExportStatus
from privacy.serializers import EraseRequestSerializer, ErasureSerializer, ExportSerializer
from privacy.services.erasure import contact_erase
from privacy.services.export import export_is_downloadable, export_request

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


EXPORT_EXAMPLE = OpenApiExample(
    "Export",
    value={
        "id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "contactId": "5f0c7c1e-8a43-4f0e-9a57-2b0d2c1f7a10",
        "status": "READY",
        "progress": 100,
        "messagesCount": 1250,
        "mediaCount": 37,
        "size": 48211345,
        "error": "",
        "downloadUrl": (
            "https://atende.example.com/api/v1/exports/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d/download"
        ),
        "createdAt": "2026-03-02T14:00:00Z",
        "finishedAt": "2026-03-02T14:01:10Z",
        "expiresAt": "2026-03-03T14:01:10Z",
    },
    response_only=True,
    status_codes=["200", "202"],
)
EXPORT_DESCRIPTION = (
    "Starts building a ZIP with everything stored about the contact: `contact.json`, "
    "`sessions.json`, `messages.json`, `media/` and a `README.txt` in Portuguese. Poll "
    "`GET /api/v1/exports/{id}` until `status` is READY, then download `downloadUrl` "
    "(with the same API key) within 24 hours. Every call starts a new export."
)
# The stateful phase of the contract check follows a new export to its status and file.
EXPORT_LINKS = links(
    202,
    {"export_id": "$response.body#/id"},
    "GET /api/v1/exports/{export_id}",
    "GET /api/v1/exports/{export_id}/download",
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


def _export_response(request, export: Export, http_status=status.HTTP_200_OK) -> Response:
    return Response(ExportSerializer(export, context={"request": request}).data, status=http_status)


class ContactExportView(APIView):
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        summary="Export a contact's data (LGPD access and portability)",
        description=EXPORT_DESCRIPTION,
        request=None,
        responses={202: ExportSerializer},
        examples=[EXPORT_EXAMPLE],
        extensions=EXPORT_LINKS,
    )
    def post(self, request, contact_id):
        contact = get_scoped_or_404(
            Contact.objects.filter(organization=request_organization(request)),
            contact_id,
            "contact",
        )
        export = export_request(contact=contact, requested_by=api_actor(request))
        return _export_response(request, export, status.HTTP_202_ACCEPTED)


class ContactByPhoneExportView(APIView):
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        summary="Export the data of the contact with this phone (LGPD)",
        description=EXPORT_DESCRIPTION + " The phone is read as in `/contacts/by-phone/{phone}`.",
        parameters=[OpenApiParameter("phone", str, OpenApiParameter.PATH)],
        request=None,
        responses={202: ExportSerializer},
        examples=[EXPORT_EXAMPLE],
        extensions=EXPORT_LINKS,
    )
    def post(self, request, phone):
        organization = request_organization(request)
        normalized = contact_phone_normalize(organization=organization, phone=phone)
        contact = contact_selectors.contact_by_phone(organization=organization, phone=normalized)
        if contact is None:
            raise NotFound(_("No contact with this phone."))
        export = export_request(contact=contact, requested_by=api_actor(request))
        return _export_response(request, export, status.HTTP_202_ACCEPTED)


def _export(request, export_id) -> Export:
    return get_scoped_or_404(
        Export.objects.filter(organization=request_organization(request)), export_id, "export"
    )


class ExportDetailView(APIView):
    @extend_schema(
        summary="An export's status, progress and download link",
        responses=ExportSerializer,
        examples=[EXPORT_EXAMPLE],
    )
    def get(self, request, export_id):
        return _export_response(request, _export(request, export_id))


class ExportDownloadView(APIView):
    @extend_schema(
        summary="Download a ready export (a ZIP), within 24 hours of it being ready",
        description="409 `export_not_ready` while it is being built, `export_expired` after.",
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        extensions=errors(409),
    )
    def get(self, request, export_id):
        export = _export(request, export_id)
        if export.status in {ExportStatus.PENDING, ExportStatus.RUNNING, ExportStatus.FAILED}:
            raise Conflict(_("The export is not ready."), code="export_not_ready")
        if not export_is_downloadable(export):
            raise Conflict(_("The export has expired; request a new one."), code="export_expired")
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=f"atende-export-{export.pk}.zip",
            content_type="application/zip",
        )
