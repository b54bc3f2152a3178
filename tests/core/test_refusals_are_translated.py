"""A refusal reads in its reader's language; its code never changes.

The API answers in English unless the client sends Accept-Language; the
console answers in the agent's language (Portuguese by default). One
representative refusal per service that integrators and agents meet.
"""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from assistant.services import assistant_create
from integrations.models import Delivery, DeliveryStatus, Integration
from sessions_app.models import SessionStatus
from sessions_app.services.ai_block import session_block_ai
from tests.support import factories
from tests.support.admin_forms import form_errors, submit
from tests.support.pipeline import phone_says

pytestmark = pytest.mark.django_db

PORTUGUESE = {"HTTP_ACCEPT_LANGUAGE": "pt-BR,pt;q=0.9,en;q=0.5"}


def _session_transition(client, organization, contact, instance, settings):
    session = factories.make_session(contact=contact, instance=instance, status="ACTIVE")
    return lambda **headers: client.patch(
        f"/api/v1/sessions/{session.id}/status", {"status": "QUEUED"}, format="json", **headers
    )


def _ai_blocked(client, organization, contact, instance, settings):
    session = factories.make_session(contact=contact, instance=instance)
    session_block_ai(session=session, minutes=30, actor="agent:ana", reason="")
    body = {"sessionId": str(session.id), "author": "AI", "type": "TEXT", "content": {"text": "Oi"}}
    return lambda **headers: client.post("/api/v1/messages", body, format="json", **headers)


def _contact_phone_invalid(client, organization, contact, instance, settings):
    return lambda **headers: client.post(
        "/api/v1/contacts", {"phone": "00000000"}, format="json", **headers
    )


def _qr_not_supported(client, organization, contact, instance, settings):
    cloud = factories.make_instance(
        organization, provider="cloudapi", external_id="1065", app_secret="s"
    )
    return lambda **headers: client.get(f"/api/v1/instances/{cloud.id}/qr", **headers)


def _gateway_unavailable(client, organization, contact, instance, settings):
    evolution = factories.make_instance(
        organization, provider="evolution", base_url="http://127.0.0.1:9", external_id="loja"
    )
    return lambda **headers: client.post(
        f"/api/v1/instances/{evolution.id}/health-check", **headers
    )


def _delivery_in_progress(client, organization, contact, instance, settings):
    integration = Integration.objects.create(
        organization=organization, name="AI", url="http://127.0.0.1:9/hook", events=["turn.ready"]
    )
    delivery = Delivery.objects.create(
        organization=organization,
        integration=integration,
        event="turn.ready",
        dedupe_key="t1",
        payload={},
        status=DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )
    return lambda **headers: client.post(f"/api/v1/deliveries/{delivery.id}/redeliver", **headers)


def _document_too_large(client, organization, contact, instance, settings):
    settings.ASSISTANT_DOCUMENT_MAX_BYTES = 10
    assistant = assistant_create(
        organization=organization, name="Ana", model="m", base_url="http://127.0.0.1:9/v1"
    )

    def upload(**headers):
        file = io.BytesIO(b"x" * 11)
        file.name = "faq.txt"
        return client.post(
            f"/api/v1/assistants/{assistant.id}/documents",
            {"file": file},
            format="multipart",
            **headers,
        )

    return upload


def _no_such_message(client, organization, contact, instance, settings):
    return lambda **headers: client.get(
        "/api/v1/messages/00000000-0000-4000-8000-000000000000", **headers
    )


# (refusal, status, code, English message, Portuguese message); a message
# ending in "…" is a prefix (the rest is the gateway's own words).
REFUSALS = [
    (
        _session_transition,
        409,
        "invalid_transition",
        "Cannot move a ACTIVE session to QUEUED.",
        "Não é possível passar um atendimento de ACTIVE para QUEUED.",
    ),
    (
        _ai_blocked,
        409,
        "ai_blocked",
        "The AI is blocked for this session (a human has taken over).",
        "A IA está bloqueada neste atendimento (um atendente assumiu).",
    ),
    (
        _contact_phone_invalid,
        422,
        "validation_error",
        "Not a valid phone number.",
        "Número de telefone inválido.",
    ),
    (
        _qr_not_supported,
        409,
        "qr_not_supported",
        "cloudapi has no QR code pairing",
        "cloudapi não tem pareamento por QR code",
    ),
    (
        _gateway_unavailable,
        502,
        "gateway_error",
        "The gateway did not answer the health check: …",
        "O gateway não respondeu à verificação de conexão: …",
    ),
    (
        _delivery_in_progress,
        409,
        "delivery_in_progress",
        "This delivery is already being delivered; its next attempt is scheduled.",
        "Esta entrega já está em andamento; a próxima tentativa está agendada.",
    ),
    (
        _document_too_large,
        413,
        "payload_too_large",
        "Documents may be at most 10 bytes.",
        "Os documentos podem ter no máximo 10 bytes.",
    ),
    (
        _no_such_message,
        404,
        "not_found",
        "No such message.",
        "Mensagem não encontrada.",
    ),
]


def _matches(message: str, expected: str) -> bool:
    if expected.endswith("…"):
        return message.startswith(expected[:-1]) and len(message) > len(expected)
    return message == expected


@pytest.mark.parametrize(
    ("refusal", "status", "code", "english", "portuguese"),
    REFUSALS,
    ids=[row[0].__name__.strip("_") for row in REFUSALS],
)
def test_the_api_refuses_in_english_unless_asked_and_keeps_the_code(
    api_client,
    organization,
    contact,
    instance,
    settings,
    refusal,
    status,
    code,
    english,
    portuguese,
):
    send = refusal(api_client, organization, contact, instance, settings)

    in_english = send()
    in_portuguese = send(**PORTUGUESE)

    for response, expected in ((in_english, english), (in_portuguese, portuguese)):
        assert response.status_code == status, response.content
        error = response.json()["error"]
        assert error["code"] == code
        assert _matches(error["message"], expected), error["message"]
    assert in_english.json()["error"]["details"] == in_portuguese.json()["error"]["details"]


# --- the console ---------------------------------------------------------------


def act(client, session, action, data=None) -> list[str]:
    url = reverse("admin:sessions_app_chatsession_action", args=[session.pk, action])
    response = client.post(url, data or {}, follow=True)
    return [m.message for m in response.context["messages"]]


def test_an_agent_reads_a_services_refusal_in_portuguese(portuguese_agent_client, chat_session):
    assert act(portuguese_agent_client, chat_session, "close", {"end_reason": " "}) == [
        "Para encerrar um atendimento, informe o motivo do encerramento."
    ]
    act(portuguese_agent_client, chat_session, "close", {"end_reason": "resolvido"})
    factories.make_session(contact=chat_session.contact, instance=chat_session.instance)
    assert act(portuguese_agent_client, chat_session, "reopen") == [
        "Outro atendimento está aberto para este contato nesta instância."
    ]
    chat_session.refresh_from_db()
    assert chat_session.status == SessionStatus.CLOSED


def test_an_agent_reads_a_forms_refusal_in_portuguese(portuguese_agent_client, organization):
    contact = factories.make_contact(organization, phone="5531987654321", name="Maria")
    url = reverse("admin:contacts_contact_change", args=[contact.pk])
    response = submit(portuguese_agent_client, url, phone="not a phone")
    assert form_errors(response) == {"phone": ["Número de telefone inválido."]}

    factories.make_contact(organization, phone="5511912345678")
    response = submit(portuguese_agent_client, url, phone="(11) 91234-5678")
    assert form_errors(response) == {"__all__": ["Já existe um contato com este telefone."]}


def test_a_refusal_stored_in_the_timeline_stays_english(contact, instance):
    session = factories.make_session(contact=contact, instance=instance, status="PAUSED")
    with translation.override("pt-br"):
        phone_says(session, "@pausar 3")
    text = session.events.filter(code="command").get().text
    assert text == "@pausar 3 → refused: Cannot move a PAUSED session to PAUSED."
