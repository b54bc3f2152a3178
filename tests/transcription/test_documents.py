import io
import shutil

import pytest
from django.conf import settings
from PIL import Image

from messaging.models import MessageKind, TranscriptionStatus
from tests.support import media_files
from tests.support.transcription import media_message, run_transcription


def _document(chat_session, data: bytes, mimetype: str, filename: str):
    return media_message(
        chat_session, kind=MessageKind.DOCUMENT, data=data, mimetype=mimetype, filename=filename
    )


def test_it_reads_the_text_layer_of_a_pdf(chat_session, openai_api):
    pdf = media_files.make_text_pdf(["Boleto vencimento 10/12", "Valor total R$ 150,00"])
    message = run_transcription(_document(chat_session, pdf, "application/pdf", "boleto.pdf"))

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription == "Boleto vencimento 10/12\n\nValor total R$ 150,00"
    assert message.transcription_model == "pypdf"
    assert openai_api.server.requests == []


def test_it_notes_when_a_pdf_was_cut_at_the_page_limit(chat_session, openai_api, settings):
    settings.TRANSCRIPTION_PDF_MAX_PAGES = 2
    pdf = media_files.make_text_pdf([f"Pagina numero {n} do contrato" for n in (1, 2, 3)])
    message = run_transcription(_document(chat_session, pdf, "application/pdf", "contrato.pdf"))

    assert message.transcription == (
        "Pagina numero 1 do contrato\n\nPagina numero 2 do contrato"
        "\n\n[truncated: first 2 of 3 pages]"
    )


def test_it_notes_when_a_document_was_cut_at_the_character_limit(chat_session, settings):
    settings.TRANSCRIPTION_MAX_CHARS = 10
    message = run_transcription(
        _document(chat_session, b"0123456789ABCDEF", "text/plain", "notas.txt")
    )

    assert message.transcription == "0123456789\n\n[truncated: first 10 characters]"


def test_it_sends_a_scanned_pdf_to_the_vision_model(chat_session, openai_api):
    pdf = media_files.make_scanned_pdf(pages=2)
    message = run_transcription(_document(chat_session, pdf, "application/pdf", "scan.pdf"))

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription == openai_api.description
    assert message.transcription_model == "gpt-4o-mini"
    [call] = openai_api.vision_calls
    assert call.prompt == settings.TRANSCRIPTION_PDF_PROMPT
    assert len(call.images) == 2
    for _mimetype, data in call.images:
        with Image.open(io.BytesIO(data)) as page:
            # Whole A4 pages rendered at 100 dpi by poppler (scripts/ensure_services.sh
            # installs it); without it, the 320×160 images embedded in the pages.
            expected = (827, 1170) if shutil.which("pdftoppm") else (320, 160)
            assert page.size == expected


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) not installed")
def test_it_renders_a_pdf_drawn_without_text_or_images(chat_session, openai_api, work_dir):
    pdf = media_files.make_vector_only_pdf()
    message = run_transcription(_document(chat_session, pdf, "application/pdf", "planta.pdf"))

    assert message.transcription_status == TranscriptionStatus.DONE
    [call] = openai_api.vision_calls
    [(_mimetype, data)] = call.images
    with Image.open(io.BytesIO(data)) as page:
        assert page.size == (827, 1170)
        # The drawn rectangle is there: not a blank page.
        assert page.convert("L").getextrema()[0] < 100
    assert list(work_dir.iterdir()) == []  # rendered in the work folder, and cleaned up


def test_it_reads_a_docx_with_its_table(chat_session, openai_api):
    docx = media_files.make_docx()
    message = run_transcription(
        _document(chat_session, docx, "application/octet-stream", "orcamento.docx")
    )

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription == (
        "Pedido de orçamento para a filial Centro.\n"
        "Produto | Quantidade\n"
        "Cadeira | 12\n"
        "Aguardo retorno."
    )
    assert message.transcription_model == "python-docx"
    assert openai_api.server.requests == []


def test_it_reads_utf8_text_as_is(chat_session):
    text = "Endereço: Rua das Acácias, 45 — São Paulo"
    message = run_transcription(_document(chat_session, text.encode(), "text/plain", "end.txt"))

    assert message.transcription_status == TranscriptionStatus.DONE
    assert message.transcription == text


def test_it_falls_back_to_latin1_for_a_windows_csv(chat_session):
    csv = "produto;preço\ncafé;12,50\n".encode("latin-1")
    message = run_transcription(_document(chat_session, csv, "text/csv", "precos.csv"))

    assert message.transcription == "produto;preço\ncafé;12,50"


def test_it_skips_a_document_type_it_cannot_read(chat_session):
    message = run_transcription(
        _document(chat_session, b"PK\x03\x04 not a docx", "application/zip", "fotos.zip")
    )

    assert message.transcription_status == TranscriptionStatus.SKIPPED
    assert message.transcription_error == "unsupported document (application/zip)"


def test_it_fails_a_corrupt_pdf_with_the_reason(chat_session):
    message = run_transcription(
        _document(chat_session, b"%PDF-1.4\n garbage", "application/pdf", "x.pdf")
    )

    assert message.transcription_status == TranscriptionStatus.FAILED
    assert message.transcription_error.startswith("corrupt PDF")
