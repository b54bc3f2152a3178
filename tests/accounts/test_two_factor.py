"""An optional second factor (TOTP) at the console's sign-in; an organization may require it."""

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organization
from tests.support import factories

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "pw-123456"


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _sign_in(client: Client, username: str, **extra):
    return client.post(LOGIN, {"username": username, "password": PASSWORD, **extra})


def test_without_a_second_factor_the_password_is_enough(organization):
    factories.make_agent(organization, username="ana")

    assert _sign_in(Client(), "ana").status_code == 302


def test_with_a_second_factor_the_code_is_asked_and_checked(organization):
    agent = factories.make_agent(organization, username="ana")
    device = TOTPDevice.objects.create(user=agent.user, name="phone", confirmed=True)

    without = _sign_in(Client(HTTP_ACCEPT_LANGUAGE="pt-br"), "ana")
    assert without.status_code == 200
    assert "Digite o código do seu aplicativo autenticador." in without.content.decode()
    not_the_code = "000000" if _code(device) != "000000" else "111111"
    wrong = _sign_in(Client(HTTP_ACCEPT_LANGUAGE="pt-br"), "ana", otp_token=not_the_code)
    assert wrong.status_code == 200
    assert "Código de autenticação errado." in wrong.content.decode()

    device.refresh_from_db()
    device.throttle_reset()
    assert _sign_in(Client(), "ana", otp_token=_code(device)).status_code == 302


def test_an_organization_requiring_it_sends_agents_to_set_it_up(organization, other_organization):
    Organization.objects.filter(pk=organization.pk).update(require_two_factor=True)
    agent = factories.make_agent(organization, username="ana")
    client = Client(HTTP_ACCEPT_LANGUAGE="pt-br")
    assert _sign_in(client, "ana").status_code == 302

    assert client.get("/admin/").url == "/admin/two-factor/"
    setup = client.get("/admin/two-factor/")
    assert setup.status_code == 200
    assert "<svg" in setup.content.decode() and "Entrada em duas etapas" in setup.content.decode()
    device = TOTPDevice.objects.get(user=agent.user, confirmed=False)
    assert client.post("/admin/two-factor/", {"otp_token": "12"}).status_code == 200
    # A wrong code throttles the device for a moment (django-otp); skip the wait.
    device.refresh_from_db()
    device.throttle_reset()

    done = client.post("/admin/two-factor/", {"otp_token": _code(device)})

    assert done.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/admin/").status_code == 200
    # Another organization's agents are not asked.
    factories.make_agent(other_organization, username="bia")
    other = Client()
    _sign_in(other, "bia")
    assert other.get("/admin/").status_code == 200
