"""Knowledge documents: text out (the transcription app's extractors), chunks, search.

PostgreSQL ranks chunks with full-text search (``portuguese`` configuration:
stemming and stop words, so "devolução" finds "devolver"), any word of the
question matching (OR), best ``ts_rank`` first. The embedded SQLite has no
full-text search: it scores chunks by how many of the question's words
(4+ letters) they contain.
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.utils.translation import gettext as _

from assistant.models import KnowledgeChunk
from core.db import is_postgresql
from transcription.documents import decode_text, docx_text, is_docx, pdf_text

SEARCH_CONFIG = "portuguese"
TEXT_EXTENSIONS = frozenset({".txt", ".md", ".markdown"})
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The upload's declared types the API documents (multipart part Content-Type).
DOCUMENT_TYPES = (PDF_TYPE, DOCX_TYPE, "text/plain", "text/markdown")
# A question's words beyond this many are ignored: a long turn must not
# become a huge query.
MAX_QUERY_WORDS = 40
WORD = re.compile(r"\w{4,}", re.UNICODE)


class UnsupportedDocument(Exception):
    pass


def document_kind(*, data: bytes, filename: str, mimetype: str) -> str:
    """pdf, docx or text, by content first (gateways and browsers mislabel)."""
    suffix = Path(filename or "").suffix.lower()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if is_docx(data):
        return "docx"
    if suffix in TEXT_EXTENSIONS or (mimetype or "").startswith("text/"):
        return "text"
    # Declared a PDF or a DOCX without looking like one: read as declared, so
    # a damaged file is "unreadable" (422), not "unsupported" (415).
    if mimetype == PDF_TYPE:
        return "pdf"
    if mimetype == DOCX_TYPE:
        return "docx"
    # The message reaches the person who uploaded the file (console or API).
    raise UnsupportedDocument(
        _("unsupported document (%(type)s); send a PDF, DOCX, TXT or MD file")
        % {"type": mimetype or suffix or _("unknown type")}
    )


def document_text(*, data: bytes, kind: str) -> str:
    """transcription.errors.PermanentTranscriptionError for a corrupt file."""
    if kind == "pdf":
        return pdf_text(data, max_pages=settings.TRANSCRIPTION_PDF_MAX_PAGES).text
    if kind == "docx":
        return docx_text(data)
    return decode_text(data)


def split_into_chunks(text: str, *, size: int | None = None) -> list[str]:
    """Paragraphs packed into chunks of about ``size`` characters; a longer
    paragraph is cut at sentence ends, then hard."""
    size = size or settings.ASSISTANT_CHUNK_CHARS
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        while len(paragraph) > size:
            cut = paragraph.rfind(". ", 0, size)
            cut = cut + 1 if cut > size // 2 else size
            pieces.append(paragraph[:cut].strip())
            paragraph = paragraph[cut:].strip()
        if paragraph:
            pieces.append(paragraph)
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + len(piece) + 2 <= size:
            chunks[-1] = f"{chunks[-1]}\n\n{piece}"
        else:
            chunks.append(piece)
    return chunks


def index_chunks(document_id) -> None:
    # Only PostgreSQL has the tsvector to fill; SQLite searches the text itself.
    if is_postgresql():
        KnowledgeChunk.objects.filter(document_id=document_id).update(
            search_vector=SearchVector("text", config=SEARCH_CONFIG)
        )


@dataclass(frozen=True)
class Passage:
    chunk_id: int
    title: str
    text: str


def question_words(question: str) -> list[str]:
    seen: dict[str, None] = {}
    for word in WORD.findall(question.lower()):
        seen.setdefault(word, None)
    return list(seen)[:MAX_QUERY_WORDS]


def knowledge_search(*, assistant_id, question: str, limit: int | None = None) -> list[Passage]:
    limit = limit or settings.ASSISTANT_KNOWLEDGE_TOP_K
    words = question_words(question)
    if not words:
        return []
    chunks = KnowledgeChunk.objects.filter(
        assistant_id=assistant_id, document__status="READY"
    ).select_related("document")
    if is_postgresql():
        # Full-text search, ranked (tsvector, GIN index: migration 0002).
        # SQLite has none: the plain ranking below over the assistant's chunks.
        query = reduce(or_, (SearchQuery(w, config=SEARCH_CONFIG) for w in words))
        found = (
            chunks.filter(search_vector=query)
            .annotate(rank=SearchRank("search_vector", query))
            .order_by("-rank", "id")[:limit]
        )
    else:
        found = rank_plain(chunks.only("id", "text", "document__title")[:5000], words)[:limit]
    return [Passage(chunk_id=c.id, title=c.document.title, text=c.text) for c in found]


def rank_plain(chunks, words: list[str]) -> list:
    """The SQLite fallback: chunks holding the most of the question's words
    first (ties: the earliest chunk); chunks holding none are left out."""
    scored = []
    for chunk in chunks:
        text = chunk.text.lower()
        score = sum(1 for word in words if word in text)
        if score:
            scored.append((-score, chunk.id, chunk))
    return [chunk for *_, chunk in sorted(scored, key=lambda row: row[:2])]
