"""An agent's working day in a real headless Chromium: the availability switch
in the header, a closed conversation's disabled controls, the conversation
opening at its newest message while images load, and the session list at
1,366 pixels without a horizontal scroll bar."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Agent, Department
from messaging.models import MessageKind
from sessions_app.services.lifecycle import session_close
from tests.support import factories
from tests.support.browser import CHROMEDRIVER, CHROMIUM, chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="Debian's chromium and chromium-driver are not installed "
        "(apt-get install chromium chromium-driver)",
    ),
]


@pytest.fixture
def browser():
    # A common laptop screen, and a Brazilian agent's browser.
    with chromium(window_size="1366,768", languages="pt-BR,pt") as driver:
        yield driver


def wait_for(driver, condition, timeout=20):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, timeout, ignored_exceptions=[StaleElementReferenceException])
    return wait.until(condition)


def log_in(browser, live_server, username="ana"):
    from selenium.webdriver.common.by import By

    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys("pw-123456")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, lambda d: "atd-dashboard" in d.page_source)


def shot(driver, name):
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / name))


def png_bytes(color: str) -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (240, 240), color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_agent_switches_availability_from_the_header(live_server, browser, organization):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    agent = factories.make_agent(organization, username="ana")
    log_in(browser, live_server)
    switch = browser.find_element(By.ID, "atd-availability")
    assert switch.get_attribute("data-availability") == "offline"
    assert "Disponibilidade" in switch.text
    Select(browser.find_element(By.ID, "atd-availability-select")).select_by_value("online")
    wait_for(
        browser,
        lambda d: "Você está disponível" in d.find_element(By.TAG_NAME, "body").text,
    )
    assert Agent.objects.get(pk=agent.pk).availability == "online"
    switch = browser.find_element(By.ID, "atd-availability")
    assert switch.get_attribute("data-availability") == "online"
    selected = Select(browser.find_element(By.ID, "atd-availability-select"))
    assert selected.first_selected_option.text == "Disponível"
    shot(browser, "console-availability-online.png")

    # Still online on the next page, until the agent says otherwise.
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/")
    assert (
        browser.find_element(By.ID, "atd-availability").get_attribute("data-availability")
        == "online"
    )
    Select(browser.find_element(By.ID, "atd-availability-select")).select_by_value("away")
    wait_for(browser, lambda d: Agent.objects.get(pk=agent.pk).availability == "away")
    assert "/admin/sessions_app/chatsession/" in browser.current_url


def test_a_closed_conversation_cannot_be_taken_over_and_says_why(
    live_server, browser, organization
):
    from selenium.webdriver.common.by import By

    factories.make_agent(organization, username="ana")
    instance = factories.make_instance(organization, name="Loja")
    contact = factories.make_contact(organization, name="Maria")
    session = factories.make_session(contact=contact, instance=instance)
    factories.make_message(session, text="Obrigada!")
    session_close(session=session, end_reason="Resolvido", actor="agent:ana")
    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/{session.pk}/conversation/")
    take_over = browser.find_element(By.ID, "atd-take-over")
    assert take_over.get_attribute("value") == "Assumir"
    assert not take_over.is_enabled()
    assert not browser.find_element(By.ID, "atd-reply-text").is_enabled()
    assert not browser.find_element(By.ID, "atd-send").is_enabled()
    reason = browser.find_element(By.ID, "atd-reply-closed").text
    assert "Esta sessão está encerrada" in reason and "Reabra" in reason
    shot(browser, "console-conversation-closed-disabled.png")


def test_the_conversation_opens_at_the_newest_message_while_images_load(
    live_server, browser, organization
):
    from selenium.webdriver.common.by import By

    factories.make_agent(organization, username="ana")
    instance = factories.make_instance(organization, name="Loja")
    contact = factories.make_contact(organization, name="Maria")
    session = factories.make_session(contact=contact, instance=instance)
    for index, color in enumerate(["#2e7d32", "#1565c0", "#c62828", "#6a1b9a"] * 3):
        message = factories.make_message(
            session,
            text=f"foto {index}",
            kind=MessageKind.IMAGE,
            media_mimetype="image/png",
            media_filename=f"foto{index}.png",
        )
        message.media_file.save(f"foto{index}.png", ContentFile(png_bytes(color)), save=True)
    factories.make_message(session, text="A última mensagem, depois das fotos.")
    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/{session.pk}/conversation/")
    timeline = browser.find_element(By.ID, "atd-timeline")
    images = timeline.find_elements(By.CSS_SELECTOR, "img.atd-thumb")
    assert len(images) == 12

    def at_the_end(driver):
        return driver.execute_script(
            "var t = arguments[0]; return t.scrollHeight - t.scrollTop - t.clientHeight < 5;",
            timeline,
        )

    # The images near the end have loaded (taller than their alt text) and
    # the view is still at the newest message.
    wait_for(
        browser,
        lambda d: d.execute_script("return arguments[0].naturalHeight", images[-1]) == 240,
    )
    wait_for(browser, at_the_end)
    newest = timeline.find_elements(By.CSS_SELECTOR, ".atd-msg")[-1]
    assert "A última mensagem" in newest.text
    assert browser.execute_script(
        "var r = arguments[0].getBoundingClientRect(), t = arguments[1].getBoundingClientRect();"
        "return r.bottom <= t.bottom + 1 && r.top >= t.top;",
        newest,
        timeline,
    )

    # Scrolled up to read, the agent stays where they are.
    browser.execute_script("arguments[0].scrollTop = 0", timeline)
    wait_for(browser, lambda d: d.execute_script("return arguments[0].scrollTop", timeline) == 0)
    assert not at_the_end(browser)


def test_the_session_list_fits_1366_pixels(live_server, browser, organization):
    from selenium.webdriver.common.by import By

    agent = factories.make_agent(organization, username="ana")
    vendas = Department.objects.create(organization=organization, name="Vendas e Pós-venda")
    instance = factories.make_instance(organization, name="Loja Centro — WhatsApp principal")
    tags = [
        factories.make_tabulation(organization, name=name, background_color="#ffb300")
        for name in ("cliente vip", "troca de produto", "aguardando pagamento")
    ]
    for index in range(8):
        contact = factories.make_contact(
            organization, name=f"Maria Aparecida dos Santos Oliveira {index}"
        )
        session = factories.make_session(
            contact=contact,
            instance=instance,
            assigned_department=vendas,
            assigned_agent=agent,
            last_message_at=timezone.now(),
        )
        for tag in tags:
            session.session_tabulations.create(tabulation=tag)
        factories.make_message(
            session,
            text="Boa tarde, comprei uma camiseta azul tamanho M ontem na loja do centro e "
            "gostaria de trocar pelo tamanho G, ainda tenho a nota fiscal.",
        )
    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#result_list tbody tr"))
    assert browser.execute_script("return window.innerWidth") <= 1366
    # Neither the page nor the results box (Django's scrolls sideways) overflows.
    overflow = browser.execute_script(
        "var d = document.documentElement, box = document.querySelector('#changelist .results');"
        "var table = document.getElementById('result_list').getBoundingClientRect();"
        "return [d.scrollWidth - d.clientWidth, box.scrollWidth - box.clientWidth,"
        " table.right - box.getBoundingClientRect().right];"
    )
    shot(browser, "console-sessions-1366.png")
    assert max(overflow) <= 0, overflow
    # Every column the agent needs is there, wrapped rather than cut.
    row = browser.find_element(By.CSS_SELECTOR, "#result_list tbody tr")
    assert "Maria Aparecida dos Santos Oliveira" in row.text
    assert "troca de produto" in row.text
