import pytest
from django.conf import settings
from django.test import Client


@pytest.fixture
def client(client) -> Client:
    """pytest-django's client, reading the console in English like login().

    Only the console's tests: elsewhere ``client`` is pytest-django's own.
    """
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
