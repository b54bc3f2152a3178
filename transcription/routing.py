"""Which backend handles a piece of media: by kind, then content, MIME type and name."""

from __future__ import annotations

from pathlib import Path

from transcription import documents

AUDIO, VIDEO, IMAGE, PDF, DOCX, TEXT = "audio", "video", "image", "pdf", "docx", "text"
TEXT_MIMETYPES = {"application/csv", "application/x-csv", "application/json"}
TEXT_EXTENSIONS = {".txt", ".csv", ".tsv", ".md", ".log", ".json"}
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def backend_for(*, kind: str, mimetype: str = "", filename: str = "", data: bytes = b"") -> str:
    """Which backend handles this media; "" when none does."""
    if kind in ("audio", "voice"):
        return AUDIO
    if kind == "video":
        return VIDEO
    if kind in ("image", "sticker"):
        return IMAGE
    if kind != "document":
        return ""
    mimetype = (mimetype or "").split(";")[0].strip().lower()
    extension = Path(filename or "").suffix.lower()
    # Content first: gateways send "application/octet-stream" for half of everything.
    if data.startswith(b"%PDF-"):
        return PDF
    if documents.is_docx(data):
        return DOCX
    if mimetype == "application/pdf" or extension == ".pdf":
        return PDF
    if mimetype == DOCX_MIMETYPE or extension == ".docx":
        return DOCX
    if mimetype.startswith("text/") or mimetype in TEXT_MIMETYPES or extension in TEXT_EXTENSIONS:
        return TEXT
    # A song or photo sent "as a document" is still audio or an image.
    for prefix, backend in (("audio/", AUDIO), ("video/", VIDEO), ("image/", IMAGE)):
        if mimetype.startswith(prefix):
            return backend
    return ""


def needs_model(backend: str) -> bool:
    """PDF only needs the model for scanned files; that is decided once it is read."""
    return backend in (AUDIO, VIDEO, IMAGE)
