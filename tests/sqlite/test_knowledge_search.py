"""An assistant's knowledge on SQLite: no tsvector to fill, chunks ranked by
how many of the question's words they hold."""

import pytest

from assistant.knowledge import knowledge_search
from assistant.models import KnowledgeChunk
from assistant.services import assistant_create, document_create

pytestmark = pytest.mark.django_db

RETURNS = (
    "Politica de trocas: o cliente pode devolver qualquer produto em ate 30 dias "
    "apos a entrega, com a nota fiscal."
)
HOURS = "Horario da loja: segunda a sabado, das 9h as 18h."


@pytest.fixture
def assistant(organization):
    return assistant_create(
        organization=organization,
        name="Ana",
        model="test-model",
        base_url="http://127.0.0.1:9/v1",
        api_key="sk-test-key",
    )


def test_documents_are_searched_by_the_words_of_the_question(assistant):
    document_create(assistant=assistant, data=HOURS.encode(), filename="horario.txt")
    document_create(assistant=assistant, data=RETURNS.encode(), filename="trocas.txt")
    assert not KnowledgeChunk.objects.filter(search_vector__isnull=False).exists()

    found = knowledge_search(assistant_id=assistant.pk, question="Posso devolver o produto?")
    assert [(p.title, p.text) for p in found] == [("trocas.txt", RETURNS)]
    found = knowledge_search(assistant_id=assistant.pk, question="A que horas abre a loja?")
    assert [p.title for p in found] == ["horario.txt"]
    assert knowledge_search(assistant_id=assistant.pk, question="Vocês aceitam pix?") == []


def test_the_chunk_holding_more_words_comes_first(assistant):
    document_create(assistant=assistant, data=HOURS.encode(), filename="horario.txt")
    document_create(assistant=assistant, data=RETURNS.encode(), filename="trocas.txt")

    found = knowledge_search(
        assistant_id=assistant.pk, question="Na loja posso devolver o produto com nota fiscal?"
    )

    assert [p.title for p in found] == ["trocas.txt", "horario.txt"]
