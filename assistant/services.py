"""Writes for the assistant app: assistants and their knowledge documents.

Answering turns is ``assistant.answer``.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Department
from assistant.knowledge import (
    UnsupportedDocument,
    document_kind,
    document_text,
    index_chunks,
    split_into_chunks,
)
from assistant.models import Assistant, DocumentStatus, KnowledgeChunk, KnowledgeDocument
from core.errors import Conflict, DomainError, Unprocessable, ValidationError
from transcription.errors import PermanentTranscriptionError

ASSISTANT_EDITABLE_FIELDS = (
    "name",
    "model",
    "base_url",
    "api_key",
    "system_prompt",
    "temperature",
    "max_history_messages",
    "max_reply_chars",
    "handoff_department",
    "handoff_message",
    "daily_token_budget",
    "max_replies_per_hour",
    "is_active",
)


class DocumentTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class UnsupportedDocumentType(DomainError):
    status = 415
    code = "unsupported_media_type"


def document_too_large_message() -> str:
    return _("Documents may be at most %(max_bytes)s bytes.") % {
        "max_bytes": settings.ASSISTANT_DOCUMENT_MAX_BYTES
    }


def _apply(assistant: Assistant, fields: dict) -> None:
    unknown = set(fields) - set(ASSISTANT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Cannot set %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    department: Department | None = fields.get("handoff_department")
    if department is not None and department.organization_id != assistant.organization_id:
        raise ValidationError(
            _("Unknown department."), details={"handoffDepartmentId": ["Not found."]}
        )
    for name, value in fields.items():
        setattr(assistant, name, value.strip() if name == "name" else value)
    if not assistant.name:
        raise ValidationError(_("A name is required."), details={"name": ["Required."]})
    if not (assistant.model or "").strip():
        raise ValidationError(_("A model is required."), details={"model": ["Required."]})


def _save(assistant: Assistant) -> Assistant:
    try:
        with transaction.atomic():
            assistant.save()
    except IntegrityError:
        raise Conflict(
            _("An assistant with this name already exists."),
            code="assistant_name_taken",
            details={"name": assistant.name},
        ) from None
    return assistant


def assistant_create(*, organization, name: str, **fields) -> Assistant:
    assistant = Assistant(organization=organization)
    _apply(assistant, {"name": name, **fields})
    return _save(assistant)


def assistant_update(*, assistant: Assistant, **fields) -> Assistant:
    _apply(assistant, fields)
    return _save(assistant)


def assistant_delete(*, assistant: Assistant) -> None:
    # Instances bound to it fall back to no assistant (SET_NULL).
    assistant.delete()


def document_create(
    *, assistant: Assistant, data: bytes, filename: str, mimetype: str = "", title: str = ""
) -> KnowledgeDocument:
    """Read, split and index a document.

    A wrong type is a 415, an empty or corrupt file or one without text (a
    scan) a 422: nothing is stored, and the integrator learns why at once.
    """
    if len(data) > settings.ASSISTANT_DOCUMENT_MAX_BYTES:
        raise DocumentTooLarge(document_too_large_message())
    if not data:
        raise Unprocessable(_("The file is empty."), details={"file": ["Empty."]})
    try:
        kind = document_kind(data=data, filename=filename, mimetype=mimetype)
    except UnsupportedDocument as exc:
        raise UnsupportedDocumentType(str(exc)) from None
    try:
        text = document_text(data=data, kind=kind)
    except PermanentTranscriptionError as exc:
        raise Unprocessable(
            _("The document could not be read: %(reason)s.") % {"reason": exc},
            code="unreadable_document",
            details={"file": [str(exc)]},
        ) from None
    chunks = split_into_chunks(text) if text.strip() else []
    if not chunks:
        raise Unprocessable(
            _("No text was found in the document (a scan without a text layer?)."),
            code="unreadable_document",
            details={"file": ["No text."]},
        )
    document = KnowledgeDocument(
        organization_id=assistant.organization_id,
        assistant=assistant,
        title=(title or filename or "document").strip()[:255],
        filename=(filename or "")[:255],
        mimetype=(mimetype or "")[:120],
        size=len(data),
        status=DocumentStatus.READY,
        chars=len(text),
        chunks_count=len(chunks),
    )
    with transaction.atomic():
        document.save(force_insert=True)
        KnowledgeChunk.objects.bulk_create(
            KnowledgeChunk(assistant=assistant, document=document, position=i, text=chunk)
            for i, chunk in enumerate(chunks)
        )
        index_chunks(document.pk)
    return document


def document_delete(*, document: KnowledgeDocument) -> None:
    document.delete()
