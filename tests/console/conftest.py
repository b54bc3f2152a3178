import pytest
from django.conf import settings
from django.test import Client

from console import inbox, views
from providers import admin as providers_admin

# What the browser tests' pages poll at: each waits for news the console
# polls for (a tick turning to "sent", a new row, a new QR), a few seconds a
# wait at the pages' own intervals. Each page reads its interval when it is
# rendered; console.js polls at what the page says.
BROWSER_POLL_SECONDS = 1


@pytest.fixture
def client(client) -> Client:
    """pytest-django's client, reading the console in English like login().

    Only the console's tests: elsewhere ``client`` is pytest-django's own.
    """
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def _browser_polls_often(request, monkeypatch):
    if request.node.get_closest_marker("browser") is None:
        return
    monkeypatch.setattr(views, "POLL_INTERVAL_SECONDS", BROWSER_POLL_SECONDS)
    monkeypatch.setattr(inbox, "POLL_SECONDS", BROWSER_POLL_SECONDS)
    monkeypatch.setattr(providers_admin, "CONNECTION_POLL_SECONDS", BROWSER_POLL_SECONDS)
