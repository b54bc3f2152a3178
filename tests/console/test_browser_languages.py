"""The console in a real headless Chromium set to Brazilian Portuguese, read in
Portuguese (the default) and in English (chosen with the header's switch):
log in, the session list, a conversation (take over, reply, give back,
close), and an instance page that follows a new QR and its pairing code
without a reload.

Screenshots of both languages land in test-artifacts/.
"""

import json

import pytest
import requests

from providers.models import ConnectionStatus, Provider
from providers.selectors import instance_webhook_cache_clear
from providers.services import instance_connection_update, instance_qr_code_update
from sessions_app.services.events import session_event_record
from tests.console.test_browser import (
    last_text,
    shot,
    text_on_page,
    wait_for,
)
from tests.console.test_browser import pytestmark as browser_marks
from tests.support import factories
from tests.support.browser import chromium
from tests.support.replay import load_fixture

pytestmark = browser_marks

QR_OLD = "2@old-pairing-string,AAAA,BBBB"
QR_NEW = "2@new-pairing-string,CCCC,DDDD"
# Evolution pairing by phone number: a fresh pairing code with every QR.
CODE_OLD = "WZYEH1YY"
CODE_NEW = "K7PQ2MXD"

# What the agent reads, per language; the element ids never change.
WORDS = {
    "pt-br": {
        "login": "Acessar",
        "sessions_title": "Atendimentos",
        "queued": "Na fila",
        "ai_active": "IA ativa",
        "opened": "Atendimento aberto (cliente).",
        "took_over": "Você assumiu: a IA está bloqueada por 60 minutos.",
        "blocked_event": "IA bloqueada por 60 min. Assumido no console",
        "sent": "Mensagem enviada.",
        "agent_label": "Atendente · ana",
        "given_back": "A IA voltou a responder este atendimento.",
        "closed": "Atendimento encerrado.",
        "closed_badge": "Encerrado",
        "connecting": "Conectando",
        "pairing": "Ou digite este código de pareamento no celular:",
        "connected": "Conectado",
    },
    "en": {
        "login": "Log in",
        "sessions_title": "Sessions",
        "queued": "Queued",
        "ai_active": "AI active",
        "opened": "Session opened (customer).",
        "took_over": "You took over: the AI is blocked for 60 minutes.",
        "blocked_event": "AI blocked for 60 min. Taken over in the console",
        "sent": "Message sent.",
        "agent_label": "Agent · ana",
        "given_back": "The AI is back in charge of this conversation.",
        "closed": "Session closed.",
        "closed_badge": "Closed",
        "connecting": "Connecting",
        "pairing": "Or type this pairing code on the phone:",
        "connected": "Connected",
    },
}


@pytest.fixture
def brazilian_browser():
    """Chromium as a Brazilian agent's: it asks for pt-BR first."""
    with chromium(languages="pt-BR,pt") as driver:
        yield driver


def post_evolution_webhook(live_server, instance, body: dict) -> None:
    url = f"{live_server.url}/api/v1/webhooks/evolution/{instance.webhook_secret}"
    response = requests.post(url, data=json.dumps(body), timeout=10)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_an_agent_works_in_their_language(live_server, brazilian_browser, celery_worker, language):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser = brazilian_browser
    words = WORDS[language]
    organization = factories.make_organization("Loja Azul")
    factories.make_agent(organization, username="ana", password="pw-123456")
    sandbox = factories.make_instance(organization, name="Loja Centro")
    contact = factories.make_contact(organization, phone="5511987654321", name="Maria Souza")
    session = factories.make_session(contact=contact, instance=sandbox)
    session_event_record(session=session, code="created", data={"startedBy": "CUSTOMER"})
    factories.make_message(session, text="Oi, meu pedido atrasou")

    # The login page, in the browser's language; English is one switch away.
    browser.get(f"{live_server.url}/admin/login/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "pt-br"
    if language == "en":
        Select(browser.find_element(By.ID, "atd-language-select")).select_by_value("en")
        wait_for(
            browser, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        )
    assert (
        browser.find_element(By.CSS_SELECTOR, "input[type=submit]").get_attribute("value")
        == words["login"]
    )
    shot(browser, f"i18n-login-{language}.png")
    browser.find_element(By.ID, "id_username").send_keys("ana")
    browser.find_element(By.ID, "id_password").send_keys("pw-123456")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, lambda d: "atd-dashboard" in d.page_source)
    # The choice is remembered after logging in.
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    shot(browser, f"i18n-dashboard-{language}.png")

    # The session list.
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/")
    assert browser.find_element(By.CSS_SELECTOR, "#content h1").text == words["sessions_title"]
    row = browser.find_element(By.CSS_SELECTOR, "#result_list tbody tr")
    assert "Maria Souza" in row.text and "+55 11 98765-4321" in row.text
    assert words["queued"] in row.text and words["ai_active"] in row.text
    shot(browser, f"i18n-sessions-{language}.png")
    row.find_element(By.CSS_SELECTOR, "th a, td a").click()
    wait_for(browser, lambda d: d.find_elements(By.ID, "atd-timeline"))
    assert words["opened"] in browser.find_element(By.ID, "atd-timeline").text

    # Take over, reply, give back, close.
    browser.find_element(By.ID, "atd-take-over").click()
    wait_for(browser, text_on_page(words["took_over"]))
    wait_for(browser, lambda d: words["blocked_event"] in last_text(".atd-event")(d))
    browser.find_element(By.ID, "atd-reply-text").send_keys("Já verifico, Maria!")
    browser.find_element(By.ID, "atd-send").click()
    wait_for(browser, text_on_page(words["sent"]))
    assert words["agent_label"] in wait_for(browser, last_text(".atd-author-agent"))
    wait_for(
        browser,
        lambda d: d.find_elements(
            By.CSS_SELECTOR, '.atd-author-agent .atd-tick[data-status="sent"]'
        ),
        timeout=60,
    )
    shot(browser, f"i18n-conversation-{language}.png")
    browser.find_element(By.ID, "atd-give-back").click()
    wait_for(browser, text_on_page(words["given_back"]))
    browser.find_element(By.ID, "atd-end-reason").send_keys("Pedido localizado")
    browser.find_element(By.ID, "atd-close").click()
    wait_for(browser, text_on_page(words["closed"]))
    wait_for(browser, lambda d: words["closed_badge"] in last_text("#atd-state")(d))
    shot(browser, f"i18n-conversation-closed-{language}.png")
    session.refresh_from_db()
    assert (session.status, session.end_reason, session.ai_blocked_until) == (
        "CLOSED",
        "Pedido localizado",
        None,
    )

    # An instance being paired: the page follows the gateway's newest QR and
    # the pairing code sent with it.
    evolution = factories.make_instance(
        organization,
        provider=Provider.EVOLUTION,
        name="WhatsApp Vendas",
        external_id="atende-main",
        base_url="http://127.0.0.1:9",
        credentials={"apiKey": "evo-key"},
    )
    instance_connection_update(instance=evolution, status=ConnectionStatus.CONNECTING)
    instance_qr_code_update(instance=evolution, qr_code=QR_OLD, pairing_code=CODE_OLD)
    instance_webhook_cache_clear()
    browser.get(f"{live_server.url}/admin/providers/instance/{evolution.pk}/change/")
    assert (
        browser.execute_script("return document.getElementById('atd-qr-raw').textContent") == QR_OLD
    )
    assert (
        words["connecting"]
        in browser.find_element(By.CSS_SELECTOR, ".field-connection_column").text
    )
    assert browser.find_element(By.ID, "atd-pairing-code").text == CODE_OLD
    assert words["pairing"] in browser.find_element(By.ID, "atd-qr-live").text
    first_svg = browser.find_element(By.CSS_SELECTOR, "#atd-qr-live svg").get_attribute("outerHTML")
    browser.execute_script("document.getElementById('atd-qr-live').scrollIntoView()")
    shot(browser, f"i18n-instance-qr-{language}.png")
    marker = browser.execute_script("window.atdMarker = 7; return window.atdMarker")

    rotated = load_fixture("evolution", "qrcode_updated_pairing_code")
    rotated["data"]["qrcode"] = {"instance": "atende-main", "pairingCode": CODE_NEW, "code": QR_NEW}
    post_evolution_webhook(live_server, evolution, rotated)
    wait_for(
        browser,
        lambda d: (
            d.execute_script(
                "var el = document.getElementById('atd-qr-raw'); return el && el.textContent"
            )
            == QR_NEW
        ),
        timeout=60,
    )
    assert browser.find_element(By.ID, "atd-pairing-code").text == CODE_NEW
    assert browser.execute_script("return window.atdMarker") == marker  # no reload
    new_svg = browser.find_element(By.CSS_SELECTOR, "#atd-qr-live svg").get_attribute("outerHTML")
    assert new_svg != first_svg
    browser.execute_script("document.getElementById('atd-qr-live').scrollIntoView()")
    shot(browser, f"i18n-instance-qr-rotated-{language}.png")

    post_evolution_webhook(live_server, evolution, load_fixture("evolution", "connection_open"))
    wait_for(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#atd-qr-live [data-connected]"),
        timeout=60,
    )
    assert words["connected"] in browser.find_element(By.ID, "atd-qr-live").text
    assert not browser.find_elements(By.ID, "atd-pairing-code")
    assert (
        words["connected"] in browser.find_element(By.CSS_SELECTOR, ".field-connection_column").text
    )
    assert browser.execute_script("return window.atdMarker") == marker
    browser.execute_script("document.getElementById('atd-qr-live').scrollIntoView()")
    shot(browser, f"i18n-instance-connected-{language}.png")


def test_the_login_header_shows_the_whole_name(live_server, brazilian_browser):
    """The login box is narrower than the header's name, theme toggle and
    language switch side by side; the name must not be pushed out of it."""
    from selenium.webdriver.common.by import By

    brazilian_browser.set_window_size(1200, 700)
    brazilian_browser.get(f"{live_server.url}/admin/login/")
    header = brazilian_browser.find_element(By.ID, "header").rect
    name = brazilian_browser.find_element(By.CSS_SELECTOR, "#site-name a").rect
    assert name["x"] >= header["x"], (name, header)
    assert name["x"] + name["width"] <= header["x"] + header["width"], (name, header)
    assert brazilian_browser.find_element(By.ID, "atd-language").is_displayed()
    shot(brazilian_browser, "login-pt-br.png")
