"""The agent's working day in a real headless Chromium: canned responses in
the reply box, and the session list that follows new conversations."""

from pathlib import Path

import pytest
from django.utils import timezone

from canned.services import canned_create
from tests.console.test_browser import CHROMEDRIVER, CHROMIUM, browser, shot, wait_for  # noqa: F401
from tests.support import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="Debian's chromium and chromium-driver are not installed",
    ),
]


def log_in(browser, live_server, username="ana"):  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys("pw-123456")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, lambda d: "atd-dashboard" in d.page_source)


def test_slash_inserts_a_filled_in_canned_response(live_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    organization = factories.make_organization("Loja Azul")
    agent = factories.make_agent(organization, username="ana", password="pw-123456")
    agent.display_name = "Ana Lima"
    agent.save()
    instance = factories.make_instance(organization, name="Loja Centro")
    contact = factories.make_contact(organization, phone="5531987654321", name="Maria Souza")
    session = factories.make_session(
        contact=contact, instance=instance, last_message_at=timezone.now()
    )
    canned_create(
        organization=organization,
        short_code="saudacao",
        content="Olá, {{contact.firstName}}! Sou {{agent.name}}, já vou verificar seu pedido.",
    )
    canned_create(organization=organization, short_code="pix", content="Nossa chave Pix: 123.")
    canned_create(organization=organization, short_code="prazo", content="Entrega em 3 dias.")

    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/{session.pk}/conversation/")
    box = browser.find_element(By.ID, "atd-reply-text")
    box.send_keys("/p")
    listed = browser.find_element(By.ID, "atd-canned")
    wait_for(browser, lambda d: listed.is_displayed() and "/pix" in listed.text)
    assert "/prazo" in listed.text and "/saudacao" not in listed.text
    # Esc closes the list and keeps what was typed.
    box.send_keys(Keys.ESCAPE)
    wait_for(browser, lambda d: not listed.is_displayed())
    assert box.get_attribute("value") == "/p"

    box.clear()
    box.send_keys("Bom dia! /sau")
    wait_for(browser, lambda d: listed.is_displayed() and "/saudacao" in listed.text)
    shot(browser, "console-canned-list.png")
    box.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: not listed.is_displayed())
    assert box.get_attribute("value") == (
        "Bom dia! Olá, Maria! Sou Ana Lima, já vou verificar seu pedido."
    )

    # Arrows pick another one.
    box.send_keys(" /p")
    wait_for(browser, lambda d: listed.is_displayed() and "/prazo" in listed.text)
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    wait_for(browser, lambda d: not listed.is_displayed())
    assert box.get_attribute("value").endswith("pedido. Entrega em 3 dias.")
