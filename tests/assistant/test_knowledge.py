"""Knowledge documents: upload (PDF, DOCX, TXT, MD), ranked search, and the prompt."""

import io

import docx
import pytest

from assistant.answer import turn_answer
from assistant.knowledge import knowledge_search, question_words, rank_plain, split_into_chunks
from assistant.models import AssistantRun, KnowledgeChunk, KnowledgeDocument
from tests.assistant.helpers import closed_turn
from tests.support import factories
from tests.support.api import assert_error
from tests.support.media_files import make_png, make_text_pdf

pytestmark = pytest.mark.django_db

RETURNS = (
    "Politica de trocas: o cliente pode devolver qualquer produto em ate 30 dias "
    "apos a entrega, com a nota fiscal."
)
HOURS = "Horario da loja: segunda a sabado, das 9h as 18h."


def upload(client, assistant, data: bytes, name: str, content_type: str, **extra):
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        f"/api/v1/assistants/{assistant.pk}/documents",
        {"file": file, **extra},
        format="multipart",
    )


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, data, content_type",
    [
        ("politica.pdf", make_text_pdf([RETURNS, HOURS]), "application/pdf"),
        (
            "politica.docx",
            docx_bytes(RETURNS, HOURS),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("politica.txt", f"{RETURNS}\n\n{HOURS}".encode(), "text/plain"),
        ("politica.md", f"# Loja\n\n{RETURNS}\n\n{HOURS}".encode(), "text/markdown"),
    ],
)
def test_documents_of_each_type_are_read_and_chunked(
    api_client, assistant, name, data, content_type
):
    response = upload(api_client, assistant, data, name, content_type, title="Política")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Política" and body["status"] == "READY" and body["chunks"] >= 1
    chunks = KnowledgeChunk.objects.filter(document_id=body["id"])
    text = " ".join(chunks.values_list("text", flat=True))
    assert "devolver qualquer produto" in text


def test_list_and_delete(api_client, assistant):
    document_id = upload(api_client, assistant, RETURNS.encode(), "a.txt", "text/plain").json()[
        "id"
    ]
    url = f"/api/v1/assistants/{assistant.pk}/documents"

    assert [d["id"] for d in api_client.get(url).json()["data"]] == [document_id]
    assert api_client.delete(f"{url}/{document_id}").status_code == 204
    assert api_client.get(url).json()["data"] == []
    assert not KnowledgeChunk.objects.filter(document_id=document_id).exists()


def test_unsupported_corrupt_empty_and_large_files_are_refused(api_client, assistant, settings):
    assert_error(upload(api_client, assistant, make_png(), "a.png", "image/png"), 415)
    assert_error(
        upload(api_client, assistant, b"%PDF-1.4 garbage", "a.pdf", "application/pdf"),
        422,
        "unreadable_document",
    )
    assert_error(upload(api_client, assistant, b"", "a.txt", "text/plain"), 400)
    assert_error(api_client.post(f"/api/v1/assistants/{assistant.pk}/documents", {}), 400)
    settings.ASSISTANT_DOCUMENT_MAX_BYTES = 10
    assert_error(upload(api_client, assistant, b"x" * 11, "a.txt", "text/plain"), 413)


def test_search_ranks_the_relevant_chunk_first(api_client, assistant):
    upload(api_client, assistant, f"{RETURNS}\n\n{HOURS}".encode(), "a.txt", "text/plain")
    KnowledgeChunk.objects.all().delete()
    # One chunk per paragraph, so ranking between them shows.
    upload(api_client, assistant, RETURNS.encode(), "trocas.txt", "text/plain")
    upload(api_client, assistant, HOURS.encode(), "horario.txt", "text/plain")

    found = knowledge_search(assistant_id=assistant.pk, question="posso devolver o produto?")
    assert [p.title for p in found] == ["trocas.txt"]
    found = knowledge_search(assistant_id=assistant.pk, question="qual o horário da loja?")
    assert found[0].title == "horario.txt"
    assert knowledge_search(assistant_id=assistant.pk, question="vocês aceitam pix?") == []


def test_a_question_about_the_pdf_gets_its_passage_and_an_unrelated_one_does_not(
    api_client, assistant, contact, bound_instance, model
):
    upload(
        api_client,
        assistant,
        make_text_pdf([RETURNS]),
        "trocas.pdf",
        "application/pdf",
        title="Política de trocas",
    )
    session = factories.make_session(contact=contact, instance=bound_instance)

    asked = closed_turn(session, "Quantos dias tenho para devolver um produto?")
    turn_answer(turn_id=asked.pk)
    unrelated = closed_turn(session, "Vocês vendem cartão presente?")
    turn_answer(turn_id=unrelated.pk)

    about, other = model.calls
    assert "Política de trocas" in about.system and "em ate 30 dias" in about.system
    assert "em ate 30 dias" not in other.system
    assert AssistantRun.objects.get(turn=asked).chunk_ids == list(
        KnowledgeChunk.objects.values_list("id", flat=True)
    )
    assert AssistantRun.objects.get(turn=unrelated).chunk_ids == []


def test_documents_are_the_assistants_own(api_client, other_api_client, assistant, organization):
    document_id = upload(api_client, assistant, RETURNS.encode(), "a.txt", "text/plain").json()[
        "id"
    ]
    url = f"/api/v1/assistants/{assistant.pk}/documents"

    assert_error(other_api_client.get(url), 404)
    assert_error(upload(other_api_client, assistant, HOURS.encode(), "b.txt", "text/plain"), 404)
    assert_error(other_api_client.get(f"{url}/{document_id}"), 404)
    assert_error(other_api_client.delete(f"{url}/{document_id}"), 404)
    assert KnowledgeChunk.objects.filter(document_id=document_id).exists()
    # Another assistant of the same organization does not see it either.
    second = api_client.post("/api/v1/assistants", {"name": "Outro"}, format="json").json()
    assert_error(api_client.get(f"/api/v1/assistants/{second['id']}/documents/{document_id}"), 404)
    assert knowledge_search(assistant_id=second["id"], question="devolver produto") == []


def test_long_text_is_split_near_the_chunk_size():
    text = ("Uma frase curta sobre entregas. " * 200).strip()

    chunks = split_into_chunks(text, size=500)

    assert len(chunks) > 5
    assert all(len(c) <= 500 for c in chunks)
    assert "".join(c.replace(" ", "") for c in chunks) == text.replace(" ", "")


def test_the_plain_fallback_ranks_by_the_words_a_chunk_holds(assistant):
    document = KnowledgeDocument.objects.create(
        organization=assistant.organization, assistant=assistant, title="FAQ"
    )
    chunks = [
        KnowledgeChunk.objects.create(assistant=assistant, document=document, position=i, text=text)
        for i, text in enumerate([HOURS, RETURNS, "Entregamos produtos em todo o Brasil."])
    ]
    words = question_words("Posso devolver o produto depois da entrega?")

    ranked = rank_plain(KnowledgeChunk.objects.order_by("id"), words)

    assert words == ["posso", "devolver", "produto", "depois", "entrega"]
    assert ranked == [chunks[1], chunks[2]]
