"""An OpenAI-compatible model server, an assistant using it, an instance bound to it.

The shared worker process inherits this environment: the model retries'
backoff is shortened before any worker starts.
"""

import os

import pytest

from assistant.services import assistant_create
from tests.assistant.model_server import FakeChatModel
from tests.support import factories

os.environ.setdefault("ASSISTANT_RETRY_BACKOFF_SECONDS", "0.2,0.2")


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.ASSISTANT_RETRY_BACKOFF_SECONDS = [0.05, 0.05]


@pytest.fixture
def model():
    server = FakeChatModel().start()
    yield server
    server.stop()


@pytest.fixture
def assistant(organization, model):
    return assistant_create(
        organization=organization,
        name="Ana",
        model="test-model",
        base_url=model.base_url,
        api_key="sk-test-key",
        system_prompt="Você é a Ana, assistente da Acme.",
    )


@pytest.fixture
def bound_instance(organization, assistant):
    return factories.make_instance(
        organization, name="WhatsApp Acme", assistant=assistant, concat_timeout=1
    )
