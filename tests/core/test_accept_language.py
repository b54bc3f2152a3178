"""The API's human-readable ``message`` follows Accept-Language; codes and
field names never change, and integrators that ask nothing get English."""

from django.conf import settings

from sessions_app.services.ai_block import session_block_ai

URL = "/api/v1/messages"


def ai_reply(client, session, **headers):
    body = {"sessionId": str(session.id), "author": "AI", "type": "TEXT", "content": {"text": "Oi"}}
    return client.post(URL, body, format="json", **headers)


def test_a_refusal_is_in_english_without_accept_language(api_client, chat_session):
    session_block_ai(session=chat_session, minutes=30, actor="agent:ana", reason="")
    response = ai_reply(api_client, chat_session)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ai_blocked"
    assert response.json()["error"]["message"] == (
        "The AI is blocked for this session (a human has taken over)."
    )


def test_a_refusal_follows_accept_language_but_keeps_its_code(api_client, chat_session):
    session_block_ai(session=chat_session, minutes=30, actor="agent:ana", reason="")
    response = ai_reply(api_client, chat_session, HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9,en;q=0.5")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "ai_blocked"
    assert error["message"] == "A IA está bloqueada neste atendimento (um atendente assumiu)."
    assert error["details"]["sessionId"] == str(chat_session.id)
    assert response["Content-Language"] == "pt-br"


def test_validation_errors_translate_messages_not_field_names(api_client, chat_session):
    body = {"sessionId": "not-a-uuid", "author": "AI", "type": "TEXT", "content": {"text": "Oi"}}
    response = api_client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "A requisição tem campos inválidos."
    assert error["details"] == {"sessionId": ["Deve ser um UUID válido."]}


def test_an_unsupported_language_falls_back_to_english(api_client, chat_session):
    session_block_ai(session=chat_session, minutes=30, actor="agent:ana", reason="")
    response = ai_reply(api_client, chat_session, HTTP_ACCEPT_LANGUAGE="de-DE")
    assert response.json()["error"]["message"].startswith("The AI is blocked")


def test_the_console_language_cookie_does_not_change_the_api(api_client, chat_session):
    session_block_ai(session=chat_session, minutes=30, actor="agent:ana", reason="")
    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt-br"
    response = ai_reply(api_client, chat_session)
    assert response.json()["error"]["message"].startswith("The AI is blocked")
