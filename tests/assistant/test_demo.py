"""`make run`'s demo: an assistant on the sandbox when a model server is configured."""

from io import StringIO

import pytest
from django.core.management import call_command

from assistant.models import Assistant
from messaging.management.commands import setup_demo
from providers.models import Instance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _credentials_file(monkeypatch, tmp_path):
    monkeypatch.setattr(setup_demo, "CREDENTIALS_FILE", tmp_path / "demo.json")


def run_demo() -> str:
    out = StringIO()
    call_command("setup_demo", stdout=out)
    return out.getvalue()


def test_without_a_model_server_it_says_how_to_turn_the_assistant_on(settings):
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""

    output = run_demo()

    assert "Assistant:   off" in output and "OPENAI_API_KEY" in output
    assert not Assistant.objects.exists()


def test_with_a_model_server_the_sandbox_gets_an_assistant_once(settings):
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = "http://127.0.0.1:11434/v1"

    output = run_demo()
    run_demo()

    [assistant] = Assistant.objects.all()
    sandbox = Instance.objects.get(name="Sandbox")
    assert sandbox.assistant == assistant
    assert assistant.organization == sandbox.organization
    assert "answers the sandbox" in output
