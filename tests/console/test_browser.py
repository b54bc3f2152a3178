"""The agent console in a real headless Chromium: read, take over, reply, close.

Screenshots (light and dark mode) land in test-artifacts/.
"""

import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from messaging.models import Author, Direction, DispatchStatus, MessageKind, Turn, TurnStatus
from sessions_app.services.events import session_event_record
from tests.support import factories
from tests.support.browser import CHROMEDRIVER, CHROMIUM, chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="Debian's chromium and chromium-driver are not installed "
        "(apt-get install chromium chromium-driver)",
    ),
]


def png_bytes() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 160), "#2e7d32")
    draw = ImageDraw.Draw(image)
    draw.rectangle([20, 20, 220, 140], outline="#ffffff", width=6)
    draw.text((60, 70), "RECEIPT 42", fill="#ffffff")
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def wav_bytes(text: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "voice.wav"
        subprocess.run(["espeak-ng", "-v", "pt-br", "-w", str(path), text], check=True)
        return path.read_bytes()


def media_message(session, *, kind, data, name, mimetype, **fields):
    message = factories.make_message(
        session,
        text=fields.pop("text", ""),
        kind=kind,
        media_mimetype=mimetype,
        media_filename=name,
        media_size=len(data),
        **fields,
    )
    message.media_file.save(name, ContentFile(data), save=True)
    return message


def build_conversation(organization):
    instance = factories.make_instance(organization, name="Loja Centro")
    contact = factories.make_contact(organization, phone="5531987654321", name="Maria Souza")
    session = factories.make_session(
        contact=contact, instance=instance, last_message_at=timezone.now()
    )
    tag = factories.make_tabulation(organization, name="vip", background_color="#ffb300")
    factories.make_tabulation(organization, name="lead", background_color="#1e88e5")
    session.session_tabulations.create(tabulation=tag)
    session_event_record(session=session, code="created", data={"startedBy": "CUSTOMER"})
    factories.make_message(session, text="Boa tarde! Comprei ontem e quero trocar.")
    media_message(
        session,
        kind=MessageKind.IMAGE,
        data=png_bytes(),
        name="recibo.png",
        mimetype="image/png",
        text="o recibo",
        transcription="A green receipt with the text RECEIPT 42.",
        transcription_status="DONE",
    )
    media_message(
        session,
        kind=MessageKind.VOICE,
        data=wav_bytes("quero trocar o tamanho"),
        name="audio.wav",
        mimetype="audio/wav",
        transcription="quero trocar o tamanho",
        transcription_status="DONE",
    )
    now = timezone.now()
    turn = Turn.objects.create(
        organization=organization,
        session=session,
        status=TurnStatus.CLOSED,
        first_message_at=now,
        last_message_at=now,
        messages_count=2,
        text="é a camiseta azul\ntamanho M",
        dispatch_status=DispatchStatus.SKIPPED,
        dispatch_reason="bypass_bots",
    )
    factories.make_message(session, text="é a camiseta azul", turn=turn)
    factories.make_message(session, text="tamanho M", turn=turn)
    factories.make_message(
        session,
        text="Olá Maria! Vou verificar.",
        author=Author.AI,
        direction=Direction.OUTBOUND,
        delivery_status="READ",
    )
    return session


@pytest.fixture
def browser():
    # These tests read the console in English whatever the machine's locale;
    # test_browser_languages.py drives it as a Brazilian browser.
    with chromium() as driver:
        yield driver


def wait_for(driver, condition, timeout=20):
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def read_again_if_gone(driver):
        try:
            return condition(driver)
        except WebDriverException as exc:
            # Chromium says this, not "stale element", when a form's POST
            # replaced the page between finding a node and reading it.
            if "does not belong to the document" in str(exc):
                return False
            raise

    # The page replaces its timeline when the poll brings news (a tick
    # turning to "sent"): an element found a moment ago may be gone.
    wait = WebDriverWait(driver, timeout, ignored_exceptions=[StaleElementReferenceException])
    return wait.until(read_again_if_gone)


def last_text(selector):
    from selenium.webdriver.common.by import By

    def read(driver):
        found = driver.find_elements(By.CSS_SELECTOR, selector)
        return found[-1].text if found else ""

    return read


def text_on_page(text):
    from selenium.webdriver.common.by import By

    return lambda driver: text in driver.find_element(By.TAG_NAME, "body").text


def shot(driver, name):
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / name))


def test_an_agent_reads_takes_over_replies_and_closes(live_server, browser, celery_worker):
    from selenium.webdriver.common.by import By

    organization = factories.make_organization("Loja Azul")
    factories.make_agent(organization, username="ana", password="pw-123456")
    session = build_conversation(organization)

    # Log in as the agent.
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.ID, "id_username").send_keys("ana")
    browser.find_element(By.ID, "id_password").send_keys("pw-123456")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, lambda d: "atd-dashboard" in d.page_source)
    queued = browser.find_element(By.CSS_SELECTOR, '[data-card="queued"] .atd-count').text
    assert queued == "1"
    shot(browser, "console-dashboard-light.png")

    # The session list, then the conversation.
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/")
    row = browser.find_element(By.CSS_SELECTOR, "#result_list tbody tr")
    assert "Maria Souza" in row.text and "+55 31 98765-4321" in row.text
    assert "AI active" in row.text and "vip" in row.text
    assert browser.find_element(By.CSS_SELECTOR, ".atd-unread").text == "5"
    shot(browser, "console-sessions-light.png")
    row.find_element(By.CSS_SELECTOR, "th a, td a").click()
    wait_for(browser, lambda d: d.find_elements(By.ID, "atd-timeline"))

    timeline = browser.find_element(By.ID, "atd-timeline")
    assert "Boa tarde! Comprei ontem e quero trocar." in timeline.text
    assert "Session opened (customer)." in timeline.text
    image = timeline.find_element(By.CSS_SELECTOR, "img.atd-thumb")
    wait_for(browser, lambda d: d.execute_script("return arguments[0].naturalWidth", image) > 0)
    assert browser.execute_script("return arguments[0].naturalWidth", image) == 240
    assert "A green receipt with the text RECEIPT 42." in timeline.text
    audio = timeline.find_element(By.CSS_SELECTOR, "audio")
    wait_for(browser, lambda d: d.execute_script("return arguments[0].readyState", audio) >= 1)
    assert browser.execute_script("return arguments[0].duration", audio) > 0.5
    assert "quero trocar o tamanho" in timeline.text
    group = timeline.find_element(By.CSS_SELECTOR, ".atd-turn")
    assert "Turn · 2 messages merged" in group.text
    assert "é a camiseta azul" in group.text and "tamanho M" in group.text
    assert "AI: not sent: AI off for this contact" in group.text
    tick = timeline.find_element(By.CSS_SELECTOR, ".atd-author-ai .atd-tick")
    assert tick.get_attribute("data-status") == "read"
    shot(browser, "console-conversation-light.png")

    # A new customer message appears without a reload.
    marker = browser.execute_script("window.atdMarker = 1; return window.atdMarker")
    factories.make_message(session, text="Ainda está aí?")
    wait_for(browser, text_on_page("Ainda está aí?"))
    assert browser.execute_script("return window.atdMarker") == marker

    # Take over.
    browser.find_element(By.ID, "atd-take-over").click()
    wait_for(browser, text_on_page("You took over: the AI is blocked for 60 minutes."))
    wait_for(browser, lambda d: "AI blocked until" in last_text("#atd-state")(d))

    # Reply; the worker sends it through the sandbox and the tick turns to sent.
    browser.find_element(By.ID, "atd-reply-text").send_keys("Claro, Maria! Já separei o tamanho M.")
    browser.find_element(By.ID, "atd-send").click()
    wait_for(browser, text_on_page("Message sent."))
    wait_for(
        browser,
        lambda d: "Claro, Maria! Já separei o tamanho M." in last_text(".atd-author-agent")(d),
    )
    assert "Agent · ana" in wait_for(browser, last_text(".atd-author-agent"))
    wait_for(
        browser,
        lambda d: d.find_elements(
            By.CSS_SELECTOR, '.atd-author-agent .atd-tick[data-status="sent"]'
        ),
        timeout=60,
    )
    assert session.instance.sandbox_outbox.get().text == "Claro, Maria! Já separei o tamanho M."
    shot(browser, "console-conversation-reply-light.png")

    # Dark mode, the admin's own theme switch.
    browser.execute_script("localStorage.setItem('theme', 'dark')")
    browser.refresh()
    wait_for(browser, lambda d: d.find_elements(By.ID, "atd-timeline"))
    assert browser.execute_script("return document.documentElement.dataset.theme") == "dark"
    timeline_bg = browser.execute_script(
        "return getComputedStyle(document.getElementById('atd-timeline')).backgroundColor"
    )
    assert timeline_bg == "rgb(11, 20, 26)"
    shot(browser, "console-conversation-dark.png")
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/")
    shot(browser, "console-sessions-dark.png")
    browser.get(f"{live_server.url}/admin/")
    shot(browser, "console-dashboard-dark.png")
    browser.execute_script("localStorage.setItem('theme', 'light')")

    # Close with a reason.
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/{session.pk}/conversation/")
    browser.find_element(By.ID, "atd-end-reason").send_keys("Troca combinada")
    browser.find_element(By.ID, "atd-close").click()
    wait_for(browser, text_on_page("Session closed."))
    wait_for(browser, lambda d: "Closed" in last_text("#atd-state")(d))
    assert browser.find_elements(By.ID, "atd-reopen")
    shot(browser, "console-conversation-closed-light.png")
    session.refresh_from_db()
    assert (session.status, session.end_reason) == ("CLOSED", "Troca combinada")
