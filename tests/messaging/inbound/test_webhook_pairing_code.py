"""A pairing code sent in a QR webhook is stored with its QR, replaced by the
next QR's and cleared once the number is paired."""

import pytest

from providers.models import ConnectionStatus
from tests.support.replay import load_fixture
from tests.support.webhooks import post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]


def test_evolution_stores_the_pairing_code_sent_with_the_qr(evolution_instance):
    post_webhook(evolution_instance, load_fixture("evolution", "qrcode_updated_pairing_code"))
    evolution_instance.refresh_from_db()
    assert evolution_instance.qr_code.startswith("data:image/png;base64,")
    assert evolution_instance.pairing_code == "WZYEH1YY"
    assert evolution_instance.qr_code_updated_at is not None


def test_a_qr_without_a_pairing_code_leaves_no_stale_one(evolution_instance):
    post_webhook(evolution_instance, load_fixture("evolution", "qrcode_updated_pairing_code"))
    post_webhook(evolution_instance, load_fixture("evolution", "qrcode_updated"))
    evolution_instance.refresh_from_db()
    assert evolution_instance.qr_code.startswith("data:image/png;base64,")
    assert evolution_instance.pairing_code == ""


def test_pairing_clears_the_pairing_code(evolution_instance):
    post_webhook(evolution_instance, load_fixture("evolution", "qrcode_updated_pairing_code"))
    post_webhook(evolution_instance, load_fixture("evolution", "connection_open"))
    evolution_instance.refresh_from_db()
    assert evolution_instance.connection_status == ConnectionStatus.CONNECTED
    assert (evolution_instance.qr_code, evolution_instance.pairing_code) == ("", "")


def test_uazapi_stores_a_pairing_code_that_comes_without_a_qr(uazapi_instance):
    post_webhook(uazapi_instance, load_fixture("uazapi", "connection_paircode"))
    uazapi_instance.refresh_from_db()
    assert uazapi_instance.connection_status == ConnectionStatus.CONNECTING
    assert (uazapi_instance.qr_code, uazapi_instance.pairing_code) == ("", "QNRM-ZQMB")
    assert uazapi_instance.qr_code_updated_at is not None

    post_webhook(uazapi_instance, load_fixture("uazapi", "connection_connected"))
    uazapi_instance.refresh_from_db()
    assert uazapi_instance.connection_status == ConnectionStatus.CONNECTED
    assert uazapi_instance.pairing_code == ""
