# ruff: noqa: E501  (expected payloads quote provider strings verbatim)
"""Every uazapi fixture, parsed to its exact normalized events."""

import datetime

import pytest

from providers.base import (
    ConnectionEvent,
    IgnoredEvent,
    InboundMedia,
    MessageEditEvent,
    MessageEvent,
    QrCodeEvent,
    StatusEvent,
)
from providers.uazapi.parser import parse
from tests.support.replay import fixture_names, load_fixture, without_raw

pytestmark = pytest.mark.usefixtures("inbox_inline")

EXPECTED = {
    "list_reply": [
        MessageEvent(
            provider_message_id="3EB0F1A2B3C4D5E6F7B2",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Falar com atendente",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "3EB0AABBCCDDEEFF0032",
                "reply": {"id": "humano", "title": "Falar com atendente"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "button_reply": [
        MessageEvent(
            provider_message_id="3EB0F1A2B3C4D5E6F7B1",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Segunda via",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "3EB0AABBCCDDEEFF0031",
                "reply": {"id": "boleto", "title": "Segunda via"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "audio_ptt": [
        MessageEvent(
            provider_message_id="3EB0C1C2C3C4C5C6C7C8",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="voice",
            text="",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="audio/ogg; codecs=opus",
                filename="",
                size=9811,
                duration=5.0,
                ref={"messageid": "3EB0C1C2C3C4C5C6C7C8", "mimetype": "audio/ogg; codecs=opus"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "connection_connected": [
        ConnectionEvent(status="CONNECTED", reason="", phone_number="5511999990000"),
    ],
    "connection_disconnected": [
        ConnectionEvent(
            status="DISCONNECTED", reason="logged out from another device", phone_number=""
        ),
    ],
    # Connecting by phone number: a pairing code and no QR code.
    "connection_paircode": [
        ConnectionEvent(status="CONNECTING", reason="", phone_number=""),
        QrCodeEvent(qr_code="", pairing_code="QNRM-ZQMB"),
    ],
    "connection_qrcode": [
        ConnectionEvent(status="CONNECTING", reason="", phone_number=""),
        QrCodeEvent(
            qr_code="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
            pairing_code="",
        ),
    ],
    "contact_card": [
        MessageEvent(
            provider_message_id="3EB0EEEEFFFF00001111",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="contact",
            text="João Silva",
            push_name="Maria Souza",
            media=None,
            payload={
                "name": "João Silva",
                "vcard": "BEGIN:VCARD\nVERSION:3.0\nFN:João Silva\nTEL;type=CELL;waid=5511912345678:+55 11 91234-5678\nEND:VCARD",
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "document": [
        MessageEvent(
            provider_message_id="3EB0E1E2E3E4E5E6E7E8",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="document",
            text="",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="application/pdf",
                filename="orcamento.pdf",
                size=120442,
                duration=None,
                ref={"messageid": "3EB0E1E2E3E4E5E6E7E8", "mimetype": "application/pdf"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "extended_text_quoted": [
        MessageEvent(
            provider_message_id="3EB0A9B8C7D6E5F4A3B2",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Quero esse aqui https://loja.com/p/1",
            push_name="Maria Souza",
            media=None,
            payload={"quotedId": "3EB0C431C26A1D8BC6B4"},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "from_me_api_echo": [
        MessageEvent(
            provider_message_id="3EB0123456789ABCDEF0",
            from_me=True,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Olá! Como posso ajudar?",
            push_name="",
            media=None,
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=True,
            raw={},
        ),
    ],
    "from_me_phone": [
        MessageEvent(
            provider_message_id="3A1B2C3D4E5F6A7B8C9D",
            from_me=True,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Oi Maria, é o Pedro da loja",
            push_name="",
            media=None,
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "group_message": [
        MessageEvent(
            provider_message_id="3EB066667777888899990",
            from_me=False,
            chat_id="120363041234567890@g.us",
            phone=None,
            wa_ids=("120363041234567890@g.us",),
            kind="text",
            text="Alguém sabe o horário?",
            push_name="Carlos",
            media=None,
            payload={
                "participant": {
                    "phone": "5521998877665",
                    "waIds": ["5521998877665@s.whatsapp.net", "204915783649332@lid"],
                    "name": "Carlos",
                },
                "groupName": "Clientes VIP",
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=True,
            sent_by_api=False,
            raw={},
        ),
    ],
    "image": [
        MessageEvent(
            provider_message_id="3EB0B1B2B3B4B5B6B7B8",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="image",
            text="Foto do produto",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="image/jpeg",
                filename="",
                size=91234,
                duration=None,
                ref={"messageid": "3EB0B1B2B3B4B5B6B7B8", "mimetype": "image/jpeg"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "lid_sender_9th_digit": [
        MessageEvent(
            provider_message_id="3EB0A1A1A1A1A1A1A1A1",
            from_me=False,
            chat_id="553187654321@s.whatsapp.net",
            phone="5531987654321",
            wa_ids=("553187654321@s.whatsapp.net", "204915700000001@lid"),
            kind="text",
            text="Oi, vim pelo anúncio",
            push_name="Ana Lima",
            media=None,
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "location": [
        MessageEvent(
            provider_message_id="3EB0AAAABBBBCCCCDDDD",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="location",
            text="Cristo Redentor — Parque Nacional da Tijuca, Rio de Janeiro",
            push_name="Maria Souza",
            media=None,
            payload={
                "latitude": -22.9519,
                "longitude": -43.2105,
                "name": "Cristo Redentor",
                "address": "Parque Nacional da Tijuca, Rio de Janeiro",
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "presence": [
        IgnoredEvent(event_type="presence", reason="event not used"),
    ],
    "reaction": [
        MessageEvent(
            provider_message_id="3EB022223333444455556",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="reaction",
            text="❤️",
            push_name="Maria Souza",
            media=None,
            payload={"emoji": "❤️", "targetId": "3EB0C431C26A1D8BC6B4"},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "receipt_delivered": [
        StatusEvent(
            provider_message_id="3EB0123456789ABCDEF0",
            status="DELIVERED",
            error="",
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 20, tzinfo=datetime.UTC),
        ),
        StatusEvent(
            provider_message_id="3EB0123456789ABCDEF1",
            status="DELIVERED",
            error="",
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 20, tzinfo=datetime.UTC),
        ),
    ],
    "receipt_read": [
        StatusEvent(
            provider_message_id="3EB0123456789ABCDEF0",
            status="READ",
            error="",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 10, tzinfo=datetime.UTC),
        ),
    ],
    "sticker": [
        MessageEvent(
            provider_message_id="3EB0F9F8F7F6F5F4F3F2",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="sticker",
            text="",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="image/webp",
                filename="",
                size=22110,
                duration=None,
                ref={"messageid": "3EB0F9F8F7F6F5F4F3F2", "mimetype": "image/webp"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "text": [
        MessageEvent(
            provider_message_id="3EB0F1A2B3C4D5E6F7A8",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Olá, tudo bem?",
            push_name="Maria Souza",
            media=None,
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "video": [
        MessageEvent(
            provider_message_id="3EB0D1D2D3D4D5D6D7D8",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="video",
            text="Veja o vídeo",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="video/mp4",
                filename="",
                size=2311002,
                duration=19.0,
                ref={"messageid": "3EB0D1D2D3D4D5D6D7D8", "mimetype": "video/mp4"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "text_edited": [
        MessageEditEvent(
            provider_message_id="3EB0F1A2B3C4D5E6F7A8",
            text="Olá, tudo bem? Queria o plano anual",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 9, tzinfo=datetime.UTC),
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
}


class TestUazapiFixtures:
    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_it_normalizes_the_fixture(self, name):
        body = load_fixture("uazapi", name)
        events = parse(body)
        assert without_raw(events) == EXPECTED[name]

    def test_every_fixture_is_replayed(self):
        assert fixture_names("uazapi") == set(EXPECTED)
