"""Text out of documents without a model: PDF text layers, DOCX, plain text and CSV."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

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
    # pypdf takes ~0.2 s to import and no other path loads it: only a
    # process that reads a PDF pays for it.
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


# Rendering resolution for pages sent to the vision model: enough for body
# text on A4 (about 830×1170 px) without paying for a poster-size image.
PDF_RENDER_DPI = 100


def pdf_page_images(
    data: bytes, *, max_pages: int, tmp_dir: str | None = None, timeout: float = 60
) -> tuple[list[bytes], int]:
    """The first pages as images, for a PDF without a text layer.

    Pages are rendered with poppler's ``pdftoppm`` when it is installed, so
    text drawn as vector paths and pages made of several images are seen as
    a reader sees them. Without poppler, the images embedded in the pages are
    used instead (a phone's "scan to PDF" embeds each page as one image).
    Returns (PNG/JPEG bytes per image, pages looked at).
    """
    reader = _open_pdf(data)
    pages = min(len(reader.pages), max_pages)
    if shutil.which("pdftoppm"):
        rendered = _render_pages(data, pages, tmp_dir=tmp_dir, timeout=timeout)
        if rendered:
            return rendered, pages
    images: list[bytes] = []
    for page in list(reader.pages)[:pages]:
        try:
            for image in page.images:
                images.append(image.data)
        except Exception as exc:
            logger.warning("pdf image extraction failed: %s", exc)
    return images, pages


def _render_pages(data: bytes, pages: int, *, tmp_dir: str | None, timeout: float) -> list[bytes]:
    # The transcription's work folder and time limit, like ffmpeg's.
    with tempfile.TemporaryDirectory(prefix="atende-pdf-", dir=tmp_dir) as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(data)
        try:
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    str(PDF_RENDER_DPI),
                    "-f",
                    "1",
                    "-l",
                    str(pages),
                    str(source),
                    str(Path(folder) / "page"),
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            logger.warning("pdftoppm could not render the PDF: %s", exc)
            return []
        # pdftoppm names pages page-1.png or page-01.png by the page count.
        rendered = sorted(
            Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])
        )
        return [page.read_bytes() for page in rendered]


def docx_text(data: bytes) -> str:
    """Paragraphs and tables in document order; table rows as ``cell | cell``."""
    # python-docx (with lxml) takes ~0.1 s to import and no other path loads
    # it: only a process that reads a DOCX pays for it.
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
