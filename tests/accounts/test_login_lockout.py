"""The console's sign-in resists password guessing (django-axes)."""

import io

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.support import factories
from tests.support.console import login

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
RIGHT = "pw-123456"


def _sign_in(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    # Through the proxy the settings trust (127.0.0.1), as in production.
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        HTTP_X_FORWARDED_FOR=address,
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_five_failures_lock_the_username_even_for_the_right_password(organization):
    factories.make_agent(organization, username="ana")
    for attempt in range(4):
        assert _sign_in(Client(), "ana", f"wrong-{attempt}").status_code == 200
    locked = _sign_in(Client(), "ana", "wrong-4")
    assert locked.status_code == 429

    # From another address too: the lock is the username's.
    refused = _sign_in(Client(), "ana", RIGHT, address="198.51.100.9")
    assert refused.status_code == 429
    assert not _signed_in(refused)
    page = _sign_in(Client(HTTP_ACCEPT_LANGUAGE="pt-br"), "ana", RIGHT).content.decode()
    assert "Muitas tentativas de entrada sem sucesso" in page


def test_five_failures_from_one_address_lock_that_address(organization):
    factories.make_agent(organization, username="ana")
    for attempt in range(5):
        _sign_in(Client(), f"guess-{attempt}", "whatever", address="203.0.113.50")

    assert _sign_in(Client(), "ana", RIGHT, address="203.0.113.50").status_code == 429
    # Someone else behind the same proxy is not locked out.
    assert _signed_in(_sign_in(Client(), "ana", RIGHT, address="203.0.113.51"))


def test_administrators_see_the_attempts_and_unlock(organization):
    factories.make_agent(organization, username="ana")
    for attempt in range(5):
        _sign_in(Client(), "ana", f"wrong-{attempt}")
    assert AccessAttempt.objects.filter(username="ana", failures_since_start=5).exists()

    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-1")
    page = login(root).get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "ana" in page.content.decode()

    call_command("axes_reset_username", "ana", stdout=io.StringIO())

    assert _signed_in(_sign_in(Client(), "ana", RIGHT, address="198.51.100.9"))


def test_agents_cannot_see_the_attempts(organization):
    agent = factories.make_agent(organization, username="ana")
    assert login(agent).get("/admin/axes/accessattempt/").status_code == 403
