# ruff: noqa: E501  (expected payloads quote provider strings verbatim)
"""Every sandbox fixture, parsed to its exact normalized events."""

import datetime

import pytest

from providers.base import (
    ConnectionEvent,
    IgnoredEvent,
    InboundMedia,
    MessageDeleteEvent,
    MessageEditEvent,
    MessageEvent,
    QrCodeEvent,
    StatusEvent,
    WebhookPayloadError,
)
from providers.sandbox.parser import parse
from tests.support.replay import fixture_names, load_fixture, without_raw

pytestmark = pytest.mark.usefixtures("inbox_inline")

EXPECTED = {
    "connection": [
        ConnectionEvent(status="CONNECTED", reason="", phone_number=""),
    ],
    "from_me": [
        MessageEvent(
            provider_message_id="SBX-0006",
            from_me=True,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="text",
            text="Resposta digitada no celular",
            push_name="",
            media=None,
            payload={},
            timestamp=None,
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "image": [
        MessageEvent(
            provider_message_id="SBX-0003",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="image",
            text="foto",
            push_name="",
            media=InboundMedia(
                mimetype="image/png",
                filename="pixel.png",
                size=70,
                duration=None,
                ref={
                    "base64": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
                    "mimetype": "image/png",
                    "filename": "pixel.png",
                },
            ),
            payload={},
            timestamp=None,
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "lid_only": [
        MessageEvent(
            provider_message_id="SBX-0005",
            from_me=False,
            chat_id="987654321012345@lid",
            phone=None,
            wa_ids=("987654321012345@lid",),
            kind="text",
            text="oi",
            push_name="Anônimo",
            media=None,
            payload={},
            timestamp=None,
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "qr": [
        QrCodeEvent(qr_code="2@sandbox-qr", pairing_code=""),
    ],
    "quoted_text": [
        MessageEvent(
            provider_message_id="SBX-0002",
            from_me=False,
            chat_id="5531987654321@s.whatsapp.net",
            phone="5531987654321",
            wa_ids=("5531987654321@s.whatsapp.net",),
            kind="text",
            text="Essa mesma",
            push_name="Ana",
            media=None,
            payload={"quotedId": "SANDBOX-ABC"},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "status_failed": [
        StatusEvent(
            provider_message_id="SANDBOX-ABC",
            status="FAILED",
            error="number blocked",
            timestamp=None,
        ),
    ],
    "status_read": [
        StatusEvent(provider_message_id="SANDBOX-ABC", status="READ", error="", timestamp=None),
    ],
    "text": [
        MessageEvent(
            provider_message_id="SBX-0001",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="text",
            text="Olá, sandbox!",
            push_name="Maria Souza",
            media=None,
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "typing": [
        IgnoredEvent(event_type="typing", reason="event not used"),
    ],
    "voice": [
        MessageEvent(
            provider_message_id="SBX-0004",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="voice",
            text="",
            push_name="",
            media=InboundMedia(
                mimetype="audio/ogg",
                filename="nota.ogg",
                size=14,
                duration=None,
                ref={
                    "base64": "T2dnUwACAAAAAAAAAAA=",
                    "mimetype": "audio/ogg",
                    "filename": "nota.ogg",
                },
            ),
            payload={},
            timestamp=None,
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "edit": [
        MessageEditEvent(
            provider_message_id="SBX-0001",
            text="Olá, sandbox! Tudo bem?",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 9, tzinfo=datetime.UTC),
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "delete": [
        MessageDeleteEvent(
            provider_message_id="SBX-0001",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 15, tzinfo=datetime.UTC),
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
}


class TestSandboxFixtures:
    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_it_normalizes_the_fixture(self, name):
        body = load_fixture("sandbox", name)
        events = parse(body)
        assert without_raw(events) == EXPECTED[name]

    def test_every_fixture_is_replayed(self):
        assert fixture_names("sandbox") == set(EXPECTED)


class TestRevisionChat:
    def test_an_edit_or_deletion_without_from_or_lid_names_no_chat(self):
        for name in ("edit", "delete"):
            body = load_fixture("sandbox", name)
            del body[name]["from"]
            [event] = parse(body)
            assert (event.chat_id, event.phone) == ("", None)

    def test_a_lid_alone_is_the_chat(self):
        body = load_fixture("sandbox", "delete")
        del body["delete"]["from"]
        body["delete"]["lid"] = "218364519235678@lid"
        [event] = parse(body)
        assert (event.chat_id, event.phone) == ("218364519235678@lid", None)

    def test_a_bad_phone_is_refused(self):
        body = load_fixture("sandbox", "edit")
        body["edit"]["from"] = "abc"
        with pytest.raises(WebhookPayloadError):
            parse(body)
