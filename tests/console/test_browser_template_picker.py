"""A Cloud API conversation past 24 hours: the agent picks a template in a real Chromium,
sees the text the customer will read, and the worker sends it to Meta rendered."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from messaging.models import Message
from providers.models import MessageTemplate
from providers.templates.sync import templates_sync
from tests.console.test_browser import (  # noqa: F401
    CHROMEDRIVER,
    CHROMIUM,
    browser,
    shot,
    text_on_page,
    wait_for,
)
from tests.support import factories
from tests.support.cloudapi import FakeCloudApi, make_cloudapi_instance
from tests.support.http_server import FakeHTTPServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="Debian's chromium and chromium-driver are not installed",
    ),
]


def test_the_template_picker_sends_a_rendered_template_on_a_closed_window(
    live_server,
    browser,  # noqa: F811
    celery_worker,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    organization = factories.make_organization("Loja Azul")
    factories.make_agent(organization, username="ana", password="pw-123456")
    with FakeHTTPServer() as server:
        graph = FakeCloudApi(server)
        cloud = make_cloudapi_instance(organization, server, name="Loja Centro")
        templates_sync(instance=cloud)
        contact = factories.make_contact(organization, phone="5511987654321", name="Maria Souza")
        session = factories.make_session(
            contact=contact,
            instance=cloud,
            status="ACTIVE",
            last_message_at=timezone.now() - timedelta(days=2),
            whatsapp_window_expires_at=timezone.now() - timedelta(days=1),
        )
        factories.make_message(session, text="Quando chega meu pedido?")

        browser.get(f"{live_server.url}/admin/login/")
        browser.find_element(By.ID, "id_username").send_keys("ana")
        browser.find_element(By.ID, "id_password").send_keys("pw-123456")
        browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        wait_for(browser, lambda d: "atd-dashboard" in d.page_source)
        browser.get(f"{live_server.url}/admin/sessions_app/chatsession/{session.pk}/conversation/")
        wait_for(browser, lambda d: d.find_elements(By.ID, "atd-template-picker"))

        assert "24-hour window is closed" in browser.find_element(By.ID, "atd-window-closed").text
        # Searching narrows the list to what matches.
        browser.find_element(By.ID, "atd-template-search").send_keys("saiu para entrega")
        visible = browser.execute_script(
            "return Array.from(document.querySelectorAll('#atd-template-select option'))"
            ".filter(o => o.value && !o.hidden).map(o => o.textContent)"
        )
        template = MessageTemplate.objects.get(name="pedido_enviado", language="pt_BR")
        Select(browser.find_element(By.ID, "atd-template-select")).select_by_value(str(template.pk))
        fieldset = browser.find_element(By.CSS_SELECTOR, f'fieldset[data-template="{template.pk}"]')
        first = fieldset.find_element(By.NAME, "body_1")
        assert first.get_attribute("value") == "Maria"  # the customer's name, prefilled
        fieldset.find_element(By.NAME, "header_text").send_keys("#4521")
        fieldset.find_element(By.NAME, "body_2").send_keys("#4521")
        fieldset.find_element(By.NAME, "button_1").send_keys("4521")
        preview = browser.find_element(By.ID, "atd-template-preview")
        wait_for(
            browser, lambda d: "Olá Maria, seu pedido #4521 saiu para entrega." in preview.text
        )
        assert preview.text.startswith("Pedido #4521")
        assert preview.text.endswith("Loja Centro")
        shot(browser, "console-template-picker-light.png")

        browser.find_element(By.ID, "atd-template-send").click()
        wait_for(browser, text_on_page("Template sent."))
        # The worker sends it to Meta: the tick turns to sent.
        wait_for(
            browser,
            lambda d: d.find_elements(
                By.CSS_SELECTOR, '[data-kind="template"] .atd-tick[data-status="sent"]'
            ),
            timeout=60,
        )
        bubble = browser.find_element(By.CSS_SELECTOR, '[data-kind="template"]')
        assert "Olá Maria, seu pedido #4521 saiu para entrega." in bubble.text
        assert "Obrigado" in bubble.text and "Rastrear" in bubble.text

        [sent] = graph.sends
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "pedido_enviado"
    assert sent["template"]["components"][1] == {
        "type": "body",
        "parameters": [{"type": "text", "text": "Maria"}, {"type": "text", "text": "#4521"}],
    }
    message = Message.objects.get(session=session, kind="template")
    assert (message.author, message.delivery_status) == ("AGENT", "SENT")
    assert visible == ["pedido_enviado (pt_BR)"]
