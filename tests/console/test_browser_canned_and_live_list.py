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


def test_the_session_list_shows_a_new_conversation_without_a_reload(live_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    organization = factories.make_organization("Loja Azul")
    factories.make_agent(organization, username="ana", password="pw-123456")
    instance = factories.make_instance(organization, name="Loja Centro")
    first = factories.make_contact(organization, phone="5531987654321", name="Maria Souza")
    factories.make_session(contact=first, instance=instance, status="ACTIVE")

    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/?status__exact=QUEUED")
    wait_for(browser, lambda d: d.find_elements(By.ID, "atd-inbox"))
    assert "Maria Souza" not in browser.find_element(By.ID, "changelist").text
    assert not browser.title.startswith("(")
    marker = browser.execute_script("window.atdMarker = 7; return window.atdMarker")
    # The browser's notifications, as if the agent had allowed them: recorded.
    browser.execute_script(
        "window.atdNotes = [];"
        "window.Notification = function (title, options) {"
        "  window.atdNotes.push([title, options.body]); };"
        "window.Notification.permission = 'granted';"
    )

    contact = factories.make_contact(organization, phone="5531912345678", name="João Lima")
    session = factories.make_session(
        contact=contact, instance=instance, last_message_at=timezone.now()
    )
    factories.make_message(session, text="Alguém aí?")
    wait_for(browser, lambda d: "João Lima" in d.find_element(By.ID, "result_list").text)
    row = browser.find_element(By.CSS_SELECTOR, "#result_list tbody tr")
    assert "Alguém aí?" in row.text
    assert row.find_element(By.CSS_SELECTOR, ".atd-unread").text == "1"
    wait_for(browser, lambda d: d.title.startswith("(1) "))
    assert browser.execute_script("return window.atdNotes") == [
        ["A conversation is waiting", "João Lima"]
    ]
    # No reload, and the filter is still the one chosen.
    assert browser.execute_script("return window.atdMarker") == marker
    assert browser.current_url.endswith("?status__exact=QUEUED")
    assert "Maria Souza" not in browser.find_element(By.ID, "changelist").text

    # A second one joins the rows already shown.
    other = factories.make_contact(organization, phone="5531955554444", name="Rita Dias")
    later = factories.make_session(contact=other, instance=instance, last_message_at=timezone.now())
    factories.make_message(later, text="Bom dia")
    wait_for(browser, lambda d: "Rita Dias" in d.find_element(By.ID, "result_list").text)
    wait_for(browser, lambda d: d.title.startswith("(2) "))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")) == 2
    assert browser.execute_script("return window.atdMarker") == marker
    shot(browser, "console-sessions-live.png")
