"""Text out of documents without a model: PDF text layers, DOCX, plain text and CSV."""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

from transcription.errors import PermanentTranscriptionError

logger = logging.getLogger(__name__)

# A text layer shorter than this (non-blank characters) is treated as "none":
# scanned PDFs often carry only a page number or a scanner's watermark.
MIN_TEXT_LAYER_CHARS = 20


@dataclass(frozen=True)
class PdfText:
    text: str
    pages_total: int
    pages_read: int


def _open_pdf(data: bytes):
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PermanentTranscriptionError("the PDF is password-protected")
        reader.pages[0]  # noqa: B018 - forces the page tree to be parsed now
    except PermanentTranscriptionError:
        raise
    except (PyPdfError, ValueError, KeyError, IndexError, TypeError, OSError) as exc:
        raise PermanentTranscriptionError(f"corrupt PDF ({exc})") from None
    return reader


def pdf_text(data: bytes, *, max_pages: int) -> PdfText:
    reader = _open_pdf(data)
    pages = reader.pages
    texts = []
    for page in list(pages)[:max_pages]:
        try:
            texts.append((page.extract_text() or "").strip())
        except Exception as exc:  # one bad page must not lose the others
            logger.warning("pdf page text extraction failed: %s", exc)
            texts.append("")
    text = "\n\n".join(t for t in texts if t)
    return PdfText(text=text, pages_total=len(pages), pages_read=min(len(pages), max_pages))


def has_text_layer(text: str) -> bool:
    return len("".join(text.split())) >= MIN_TEXT_LAYER_CHARS


def pdf_page_images(data: bytes, *, max_pages: int) -> tuple[list[bytes], int]:
    """The images embedded in the first pages (a scanned page is one image).

    Returns (PNG/JPEG bytes per image, pages looked at). We do not render
    pages (no poppler); scanners and phone "scan to PDF" apps embed each page
    as one image, which is what reaches us over WhatsApp.
    """
    reader = _open_pdf(data)
    images: list[bytes] = []
    pages = list(reader.pages)[:max_pages]
    for page in pages:
        try:
            for image in page.images:
                images.append(image.data)
        except Exception as exc:
            logger.warning("pdf image extraction failed: %s", exc)
    return images, len(pages)


def docx_text(data: bytes) -> str:
    """Paragraphs and tables in document order; table rows as ``cell | cell``."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PermanentTranscriptionError(f"corrupt DOCX ({exc})") from None
    blocks: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    # Merged cells come back once per grid column: keep one.
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(cell.text.split()))
                if any(cells):
                    blocks.append(" | ".join(cells))
        elif block.text.strip():
            blocks.append(block.text.strip())
    return "\n".join(blocks)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes, else Latin-1 (Windows exports)."""
    if b"\x00" in data[:8192]:
        raise PermanentTranscriptionError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False
