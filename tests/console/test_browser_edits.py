"""The console marks edited and deleted messages, in a real headless Chromium."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from messaging.inbound.revisions import message_apply_delete, message_apply_edit
from tests.console.test_browser import CHROMEDRIVER, CHROMIUM, browser, shot, wait_for  # noqa: F401
from tests.support import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="Debian's chromium and chromium-driver are not installed",
    ),
]

AT = datetime(2025, 10, 21, 14, 33, 9, tzinfo=UTC)


def revise(apply, **kwargs):
    with transaction.atomic():
        return apply(**kwargs)


def test_the_console_marks_edited_and_deleted_messages(live_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    organization = factories.make_organization("Loja Azul")
    factories.make_agent(organization, username="ana", password="pw-123456")
    instance = factories.make_instance(organization, name="Loja Centro")
    contact = factories.make_contact(organization, phone="5531987654321", name="Maria Souza")
    session = factories.make_session(
        contact=contact, instance=instance, last_message_at=timezone.now()
    )
    factories.make_message(session, text="pedido 4521", provider_message_id="wamid.1")
    factories.make_message(session, text="meu CPF é 123.456", provider_message_id="wamid.2")
    factories.make_message(session, text="obrigada", provider_message_id="wamid.3")
    revise(
        message_apply_edit,
        instance=instance,
        provider_message_id="wamid.1",
        text="pedido 4512",
        at=AT,
    )
    revise(message_apply_delete, instance=instance, provider_message_id="wamid.2", at=AT)

    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.ID, "id_username").send_keys("ana")
    browser.find_element(By.ID, "id_password").send_keys("pw-123456")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, lambda d: "atd-dashboard" in d.page_source)
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/{session.pk}/conversation/")
    wait_for(browser, lambda d: d.find_elements(By.ID, "atd-timeline"))

    timeline = browser.find_element(By.ID, "atd-timeline")
    edited = timeline.find_element(By.CSS_SELECTOR, ".atd-mark-edited")
    # The browser reads the console in English (its Accept-Language).
    assert edited.find_element(By.TAG_NAME, "summary").text == "edited"
    assert "pedido 4512" in timeline.text
    # The earlier version shows when the mark is opened.
    assert "pedido 4521" not in timeline.text
    edited.find_element(By.TAG_NAME, "summary").click()
    wait_for(browser, lambda d: "pedido 4521" in d.find_element(By.ID, "atd-timeline").text)

    deleted = timeline.find_element(By.CSS_SELECTOR, ".atd-mark-deleted")
    assert deleted.text == "deleted"
    assert "123.456" not in browser.page_source
    shot(browser, "console-conversation-edited-deleted-light.png")

    # A deletion arriving while the page is open shows without a reload.
    revise(message_apply_delete, instance=instance, provider_message_id="wamid.3", at=AT)
    wait_for(
        browser,
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#atd-timeline .atd-mark-deleted")) == 2,
    )
    assert "obrigada" not in browser.find_element(By.ID, "atd-timeline").text

    # The conversation list does not quote a deleted last message either.
    browser.get(f"{live_server.url}/admin/sessions_app/chatsession/")
    row = browser.find_element(By.CSS_SELECTOR, "#result_list tbody tr")
    assert "[deleted]" in row.text and "obrigada" not in row.text
