# ruff: noqa: E501  (expected payloads quote provider strings verbatim)
"""Every baileys fixture, parsed to its exact normalized events."""

import datetime
from dataclasses import replace

import pytest

from providers.baileys.parser import parse
from providers.base import (
    ConnectionEvent,
    IgnoredEvent,
    InboundMedia,
    MessageDeleteEvent,
    MessageEditEvent,
    MessageEvent,
    QrCodeEvent,
    StatusEvent,
)
from tests.support.replay import fixture_names, load_fixture, without_raw

pytestmark = pytest.mark.usefixtures("inbox_inline")

EXPECTED = {
    "interactive_response": [
        MessageEvent(
            provider_message_id="3A9F1E2D3C4B5A697804",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Falar com atendente",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "3EB0AABBCCDDEEFF0024",
                "reply": {"id": "humano", "title": "Falar com atendente"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "template_button_reply": [
        MessageEvent(
            provider_message_id="3A9F1E2D3C4B5A697803",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Segunda via",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "3EB0AABBCCDDEEFF0023",
                "reply": {"id": "boleto", "title": "Segunda via"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "list_response": [
        MessageEvent(
            provider_message_id="3A9F1E2D3C4B5A697802",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Falar com atendente",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "3EB0AABBCCDDEEFF0022",
                "reply": {"id": "humano", "title": "Falar com atendente"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "buttons_response": [
        MessageEvent(
            provider_message_id="3A9F1E2D3C4B5A697801",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Segunda via",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "3EB0AABBCCDDEEFF0021",
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
            provider_message_id="3AC1D2E3F4A5B6C7D8E9",
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
                size=10211,
                duration=6.0,
                ref={"keyId": "3AC1D2E3F4A5B6C7D8E9"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "chats_update": [
        IgnoredEvent(event_type="chats.update", reason="event not used"),
    ],
    "connection_close_logged_out": [
        ConnectionEvent(status="DISCONNECTED", reason="logged out", phone_number=""),
    ],
    "connection_open": [
        ConnectionEvent(status="CONNECTED", reason="", phone_number="5511999990000"),
    ],
    "connection_qr": [
        QrCodeEvent(
            qr_code="2@A1b2C3d4E5f6G7h8,I9j0K1l2M3n4=,O5p6Q7r8S9t0=,U1v2W3x4Y5z6=", pairing_code=""
        ),
    ],
    "contact_card": [
        MessageEvent(
            provider_message_id="3B11A2B3C4D5E6F7A8B9",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="contact",
            text="Loja Centro",
            push_name="Maria Souza",
            media=None,
            payload={
                "name": "Loja Centro",
                "vcard": "BEGIN:VCARD\nVERSION:3.0\nFN:Loja Centro\nTEL;type=WORK;waid=553132221100:+55 31 3222-1100\nEND:VCARD",
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "document": [
        MessageEvent(
            provider_message_id="3AE1F2A3B4C5D6E7F8A9",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="document",
            text="NF de outubro",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="application/pdf",
                filename="nota-fiscal.pdf",
                size=98123,
                duration=None,
                ref={"keyId": "3AE1F2A3B4C5D6E7F8A9"},
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
            provider_message_id="3AA1B2C3D4E5F6A7B8C9",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Pode ser às 10h?",
            push_name="Maria Souza",
            media=None,
            payload={"quotedId": "3EB0C431C26A1D8BC6B4"},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "from_me_own_send": [
        MessageEvent(
            provider_message_id="3EB0BB11CC22DD33EE44",
            from_me=True,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Seu pedido saiu para entrega.",
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
            provider_message_id="3B41A2B3C4D5E6F7A8B9",
            from_me=True,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Já estou verificando, um momento",
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
            provider_message_id="3B31A2B3C4D5E6F7A8B9",
            from_me=False,
            chat_id="120363041234567890@g.us",
            phone=None,
            wa_ids=("120363041234567890@g.us",),
            kind="text",
            text="Pessoal, amanhã tem promoção?",
            push_name="Carlos",
            media=None,
            payload={
                "participant": {
                    "phone": "5521998877665",
                    "waIds": ["5521998877665@s.whatsapp.net", "204915783649332@lid"],
                    "name": "Carlos",
                }
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=True,
            sent_by_api=False,
            raw={},
        ),
    ],
    "image": [
        MessageEvent(
            provider_message_id="3AB1C2D3E4F5A6B7C8D9",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="image",
            text="Comprovante",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="image/jpeg",
                filename="",
                size=77012,
                duration=None,
                ref={"keyId": "3AB1C2D3E4F5A6B7C8D9"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "lid_only_old_form_alt": [
        MessageEvent(
            provider_message_id="3B51A2B3C4D5E6F7A8B9",
            from_me=False,
            chat_id="204915700000001@lid",
            phone="5531987654321",
            wa_ids=("204915700000001@lid", "553187654321@s.whatsapp.net"),
            kind="text",
            text="Oi",
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
            provider_message_id="3B01A2B3C4D5E6F7A8B9",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="location",
            text="",
            push_name="Maria Souza",
            media=None,
            payload={"latitude": -19.9191, "longitude": -43.9386, "name": "", "address": ""},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "message_receipt_read": [
        StatusEvent(
            provider_message_id="3EB0DD44EE55FF667788",
            status="READ",
            error="",
            timestamp=datetime.datetime(2025, 10, 21, 14, 35, tzinfo=datetime.UTC),
        ),
    ],
    "messages_update_delivered": [
        StatusEvent(
            provider_message_id="3EB0BB11CC22DD33EE44", status="DELIVERED", error="", timestamp=None
        ),
    ],
    "messages_update_read": [
        StatusEvent(
            provider_message_id="3EB0BB11CC22DD33EE44", status="READ", error="", timestamp=None
        ),
        IgnoredEvent(event_type="messages.update", reason="no status in the update"),
    ],
    "reaction": [
        MessageEvent(
            provider_message_id="3B21A2B3C4D5E6F7A8B9",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="reaction",
            text="🙏",
            push_name="Maria Souza",
            media=None,
            payload={"emoji": "🙏", "targetId": "3EB0C431C26A1D8BC6B4"},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "sticker": [
        MessageEvent(
            provider_message_id="3AF1A2B3C4D5E6F7A8B9",
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
                size=15220,
                duration=None,
                ref={"keyId": "3AF1A2B3C4D5E6F7A8B9"},
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
            provider_message_id="3A9F1E2D3C4B5A697887",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Boa tarde! Vocês abrem sábado?",
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
            provider_message_id="3AD1E2F3A4B5C6D7E8F9",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="video",
            text="",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="video/mp4",
                filename="",
                size=1855320,
                duration=14.0,
                ref={"keyId": "3AD1E2F3A4B5C6D7E8F9"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "edit_protocol_web": [
        MessageEditEvent(
            provider_message_id="3A9F1E2D3C4B5A697887",
            text="Boa tarde! Vocês abrem domingo?",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 9, tzinfo=datetime.UTC),
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "edit_phone_wrapped": [
        MessageEditEvent(
            provider_message_id="3A9F1E2D3C4B5A697887",
            text="Boa tarde! Vocês abrem domingo?",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 9, tzinfo=datetime.UTC),
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "edit_update": [
        MessageEditEvent(
            provider_message_id="3A9F1E2D3C4B5A697887",
            text="Boa tarde! Vocês abrem domingo?",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 9, tzinfo=datetime.UTC),
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "revoke_protocol": [
        MessageDeleteEvent(
            provider_message_id="3A9F1E2D3C4B5A697887",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 10, tzinfo=datetime.UTC),
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "revoke_update": [
        MessageDeleteEvent(
            provider_message_id="3A9F1E2D3C4B5A697887",
            timestamp=None,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "revoke_from_business_phone": [
        MessageDeleteEvent(
            provider_message_id="3EB0C431C26A1D8BC6B4",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 10, tzinfo=datetime.UTC),
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "protocol_ephemeral_setting": [
        IgnoredEvent(event_type="messages.upsert", reason="protocolMessage EPHEMERAL_SETTING"),
    ],
    "no_content_view_once": [
        IgnoredEvent(event_type="messages.upsert", reason="no content (placeholder or view-once)"),
    ],
    "lid_sender_pn": [
        MessageEvent(
            provider_message_id="3B61A2B3C4D5E6F7A8B9",
            from_me=False,
            chat_id="204915700000001@lid",
            phone="5531987654321",
            wa_ids=("204915700000001@lid", "553187654321@s.whatsapp.net"),
            kind="text",
            text="Oi, sou a Ana",
            push_name="Ana Lima",
            media=None,
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
}


def _short_ref(event):
    """Baileys refs carry the whole WAMessage for the bridge; compare the key id."""
    media = getattr(event, "media", None)
    if media is None:
        return event
    return replace(event, media=replace(media, ref={"keyId": media.ref["message"]["key"]["id"]}))


class TestBaileysFixtures:
    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_it_normalizes_the_fixture(self, name):
        body = load_fixture("baileys", name)
        events = parse(body)
        assert [_short_ref(e) for e in without_raw(events)] == EXPECTED[name]

    def test_every_fixture_is_replayed(self):
        assert fixture_names("baileys") == set(EXPECTED)


class TestRevisionChat:
    def test_a_protocol_edit_takes_the_carrying_messages_chat_not_its_own_key(self):
        # A customer's edit names the chat from their side (our own number):
        # the chat is the key of the message that carried it.
        body = load_fixture("baileys", "edit_protocol_web")
        message = body["data"]["messages"][0]
        message["key"].update(
            remoteJid="218364519235678@lid", remoteJidAlt="5511987654321@s.whatsapp.net"
        )
        message["message"]["protocolMessage"]["key"]["remoteJid"] = "5511999990000@s.whatsapp.net"
        [event] = parse(body)
        assert (event.chat_id, event.phone) == ("218364519235678@lid", "5511987654321")

    def test_a_group_revoke_is_the_groups(self):
        body = load_fixture("baileys", "revoke_update")
        body["data"][0]["key"].update(
            remoteJid="120363025246125888@g.us", participant="5511987654321@s.whatsapp.net"
        )
        [event] = parse(body)
        assert (event.chat_id, event.phone) == ("120363025246125888@g.us", None)
