# ruff: noqa: E501  (expected payloads quote provider strings verbatim)
"""Every evolution fixture, parsed to its exact normalized events."""

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
)
from providers.evolution.parser import parse
from tests.support.replay import fixture_names, load_fixture, without_raw

pytestmark = pytest.mark.usefixtures("inbox_inline")

EXPECTED = {
    "interactive_response": [
        MessageEvent(
            provider_message_id="BB11CC22DD33EE44FF58",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Segunda via",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "3EB0AABBCCDDEEFF0013",
                "reply": {"id": "boleto", "title": "Segunda via"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "template_button_reply": [
        MessageEvent(
            provider_message_id="BB11CC22DD33EE44FF57",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Falar com atendente",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "3EB0AABBCCDDEEFF0012",
                "reply": {"id": "falar_atendente", "title": "Falar com atendente"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "list_reply": [
        MessageEvent(
            provider_message_id="BB11CC22DD33EE44FF56",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Segunda via",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "3EB0AABBCCDDEEFF0011",
                "reply": {"id": "boleto", "title": "Segunda via"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "audio_file": [
        MessageEvent(
            provider_message_id="D9E8F7A6B5C4D3E2F1A0B9C8D7E6F5A4",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="audio",
            text="",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="audio/mpeg",
                filename="",
                size=2204113,
                duration=137.0,
                ref={
                    "id": "D9E8F7A6B5C4D3E2F1A0B9C8D7E6F5A4",
                    "key": {
                        "remoteJid": "5511987654321@s.whatsapp.net",
                        "fromMe": False,
                        "id": "D9E8F7A6B5C4D3E2F1A0B9C8D7E6F5A4",
                    },
                    "mimetype": "audio/mpeg",
                },
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "audio_voice": [
        MessageEvent(
            provider_message_id="D1E2F3A4B5C6D7E8F9A0B1C2D3E4F5A6",
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
                size=12544,
                duration=7.0,
                ref={
                    "id": "D1E2F3A4B5C6D7E8F9A0B1C2D3E4F5A6",
                    "key": {
                        "remoteJid": "5511987654321@s.whatsapp.net",
                        "fromMe": False,
                        "id": "D1E2F3A4B5C6D7E8F9A0B1C2D3E4F5A6",
                    },
                    "mimetype": "audio/ogg; codecs=opus",
                },
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "button_reply": [
        MessageEvent(
            provider_message_id="BB11CC22DD33EE44FF55",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Plano Pro",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "3EB0FFEEDDCCBBAA9988",
                "reply": {"id": "plan_pro", "title": "Plano Pro"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "connection_close": [
        ConnectionEvent(status="DISCONNECTED", reason="reason 401", phone_number=""),
    ],
    "connection_connecting": [
        ConnectionEvent(status="CONNECTING", reason="", phone_number=""),
    ],
    "connection_open": [
        ConnectionEvent(status="CONNECTED", reason="", phone_number="5511999990000"),
    ],
    "contact_card": [
        MessageEvent(
            provider_message_id="C9B8A7D6E5F4A3B2C1D0",
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
                "vcard": "BEGIN:VCARD\nVERSION:3.0\nN:Silva;João;;;\nFN:João Silva\nTEL;type=CELL;waid=5511912345678:+55 11 91234-5678\nEND:VCARD",
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "document": [
        MessageEvent(
            provider_message_id="F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="document",
            text="Segue o comprovante",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="application/pdf",
                filename="boleto.pdf",
                size=48211,
                duration=None,
                ref={
                    "id": "F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6",
                    "key": {
                        "remoteJid": "5511987654321@s.whatsapp.net",
                        "fromMe": False,
                        "id": "F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6",
                    },
                    "mimetype": "application/pdf",
                },
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "document_with_caption_legacy": [
        MessageEvent(
            provider_message_id="F9A8B7C6D5E4F3A2B1C0",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="document",
            text="Contrato assinado",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                filename="contrato.docx",
                size=20480,
                duration=None,
                ref={
                    "id": "F9A8B7C6D5E4F3A2B1C0",
                    "key": {
                        "remoteJid": "5511987654321@s.whatsapp.net",
                        "fromMe": False,
                        "id": "F9A8B7C6D5E4F3A2B1C0",
                    },
                    "mimetype": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                },
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "extended_text_legacy": [
        MessageEvent(
            provider_message_id="3A5F0C9D8B7E6A5F4E3D",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="text",
            text="Vi no site https://exemplo.com.br",
            push_name="Maria Souza",
            media=None,
            payload={},
            timestamp=datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "from_me_phone": [
        MessageEvent(
            provider_message_id="3A7C1E5D9B2F4A6C8E0D",
            from_me=True,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Oi Maria, aqui é o Pedro da loja",
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
            provider_message_id="E9D8C7B6A5F4E3D2C1B0",
            from_me=False,
            chat_id="120363041234567890@g.us",
            phone=None,
            wa_ids=("120363041234567890@g.us",),
            kind="text",
            text="Bom dia, grupo!",
            push_name="Carlos",
            media=None,
            payload={
                "participant": {
                    "phone": "5521998877665",
                    "waIds": ["204915783649332@lid", "5521998877665@s.whatsapp.net"],
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
            provider_message_id="C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F6",
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
                size=84211,
                duration=None,
                ref={
                    "id": "C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F6",
                    "key": {
                        "remoteJid": "5511987654321@s.whatsapp.net",
                        "fromMe": False,
                        "id": "C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F6",
                    },
                    "mimetype": "image/jpeg",
                },
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "image_inline_base64": [
        MessageEvent(
            provider_message_id="C9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="image",
            text="",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="image/png",
                filename="",
                size=68,
                duration=None,
                ref={
                    "id": "C9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4",
                    "key": {
                        "remoteJid": "5511987654321@s.whatsapp.net",
                        "fromMe": False,
                        "id": "C9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4",
                    },
                    "base64": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
                    "mimetype": "image/png",
                },
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "lid_only": [
        MessageEvent(
            provider_message_id="BD4E03E2C1F5D6B7A8E9",
            from_me=False,
            chat_id="987654321012345@lid",
            phone=None,
            wa_ids=("987654321012345@lid",),
            kind="text",
            text="Alguém aí?",
            push_name="Cliente Anônimo",
            media=None,
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "lid_with_phone_alt": [
        MessageEvent(
            provider_message_id="AC3F92D1B0E4C5A6F7D8",
            from_me=False,
            chat_id="218364519235678@lid",
            phone="5531987654321",
            wa_ids=("218364519235678@lid", "553187654321@s.whatsapp.net"),
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
            provider_message_id="B9A8C7D6E5F4A3B2C1D0",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="location",
            text="Avenida Paulista — Av. Paulista, 1578 - Bela Vista, São Paulo",
            push_name="Maria Souza",
            media=None,
            payload={
                "latitude": -23.5613,
                "longitude": -46.6565,
                "name": "Avenida Paulista",
                "address": "Av. Paulista, 1578 - Bela Vista, São Paulo",
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "presence_update": [
        IgnoredEvent(event_type="presence.update", reason="event not used"),
    ],
    "protocol_revoke": [
        MessageDeleteEvent(
            provider_message_id="A1B2C3D4E5F60718293A4B5C6D7E8F90",
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "qrcode_updated": [
        QrCodeEvent(
            qr_code="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
            pairing_code="",
        ),
    ],
    # Pairing by phone number: a pairing code with every rotated QR.
    "qrcode_updated_pairing_code": [
        QrCodeEvent(
            qr_code="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
            pairing_code="WZYEH1YY",
        ),
    ],
    "quoted_text": [
        MessageEvent(
            provider_message_id="B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E2",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Esse aqui mesmo",
            push_name="Maria Souza",
            media=None,
            payload={"quotedId": "3EB0C431C26A1D8BC6B4"},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "reaction": [
        MessageEvent(
            provider_message_id="D9C8B7A6E5F4A3B2C1D0",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="reaction",
            text="👍",
            push_name="Maria Souza",
            media=None,
            payload={"emoji": "👍", "targetId": "3EB0C431C26A1D8BC6B4"},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "send_message_echo": [
        MessageEvent(
            provider_message_id="3EB0A0B1C2D3E4F5A6B7C8",
            from_me=True,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
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
    "status_delivered": [
        StatusEvent(
            provider_message_id="3EB0A0B1C2D3E4F5A6B7C8",
            status="DELIVERED",
            error="",
            timestamp=None,
        ),
    ],
    "status_inbound_read": [
        IgnoredEvent(event_type="messages.update", reason="receipt for an inbound message"),
    ],
    "status_read": [
        StatusEvent(
            provider_message_id="3EB0A0B1C2D3E4F5A6B7C8", status="READ", error="", timestamp=None
        ),
    ],
    "sticker": [
        MessageEvent(
            provider_message_id="A9B8C7D6E5F4A3B2C1D0E9F8A7B6C5D4",
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
                size=18422,
                duration=None,
                ref={
                    "id": "A9B8C7D6E5F4A3B2C1D0E9F8A7B6C5D4",
                    "key": {
                        "remoteJid": "5511987654321@s.whatsapp.net",
                        "fromMe": False,
                        "id": "A9B8C7D6E5F4A3B2C1D0E9F8A7B6C5D4",
                    },
                    "mimetype": "image/webp",
                },
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
            provider_message_id="A1B2C3D4E5F60718293A4B5C6D7E8F90",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="text",
            text="Olá, quero saber o preço do plano",
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
            provider_message_id="E1F2A3B4C5D6E7F8A9B0C1D2E3F4A5B6",
            from_me=False,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net", "218364519235678@lid"),
            kind="video",
            text="Olha o defeito",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="video/mp4",
                filename="",
                size=1534220,
                duration=12.0,
                ref={
                    "id": "E1F2A3B4C5D6E7F8A9B0C1D2E3F4A5B6",
                    "key": {
                        "remoteJid": "5511987654321@s.whatsapp.net",
                        "fromMe": False,
                        "id": "E1F2A3B4C5D6E7F8A9B0C1D2E3F4A5B6",
                    },
                    "mimetype": "video/mp4",
                },
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "messages_edited": [
        MessageEditEvent(
            provider_message_id="A1B2C3D4E5F60718293A4B5C6D7E8F90",
            text="Olá, quero saber o preço do plano anual",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 9, tzinfo=datetime.UTC),
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "messages_edited_revoke": [
        MessageDeleteEvent(
            provider_message_id="A1B2C3D4E5F60718293A4B5C6D7E8F90",
            timestamp=None,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "messages_delete": [
        MessageDeleteEvent(
            provider_message_id="A1B2C3D4E5F60718293A4B5C6D7E8F90",
            timestamp=None,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "status_deleted": [
        MessageDeleteEvent(
            provider_message_id="A1B2C3D4E5F60718293A4B5C6D7E8F90",
            timestamp=None,
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "edited_message_upsert_legacy": [
        MessageEditEvent(
            provider_message_id="A1B2C3D4E5F60718293A4B5C6D7E8F90",
            text="Olá, quero saber o preço do plano anual",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 9, tzinfo=datetime.UTC),
            chat_id="5511987654321@s.whatsapp.net",
            phone="5511987654321",
            raw={},
        ),
    ],
    "no_content_placeholder": [
        IgnoredEvent(event_type="messages.upsert", reason="no content (placeholder or view-once)"),
    ],
    "messages_edited_history_sync": [
        IgnoredEvent(
            event_type="messages.edited", reason="protocolMessage HISTORY_SYNC_NOTIFICATION"
        ),
    ],
}


class TestEvolutionFixtures:
    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_it_normalizes_the_fixture(self, name):
        body = load_fixture("evolution", name)
        events = parse(body)
        assert without_raw(events) == EXPECTED[name]

    def test_every_fixture_is_replayed(self):
        assert fixture_names("evolution") == set(EXPECTED)


class TestRevisionChat:
    """messages.edited carries the protocolMessage alone, its key written
    from the sender's side: the chat is known only when that side is ours."""

    def edited(self, remote_jid: str) -> list:
        body = load_fixture("evolution", "messages_edited")
        body["data"]["key"]["remoteJid"] = remote_jid
        return parse(body)

    def test_an_edit_made_on_our_phone_names_the_customer_chat(self):
        [event] = self.edited("5511987654321@s.whatsapp.net")
        assert (event.chat_id, event.phone) == ("5511987654321@s.whatsapp.net", "5511987654321")

    def test_the_customers_edit_names_our_number_so_no_chat(self):
        [event] = self.edited("5511999990000@s.whatsapp.net")
        assert isinstance(event, MessageEditEvent)
        assert (event.chat_id, event.phone) == ("", None)

    def test_a_lid_key_tells_no_chat(self):
        [event] = self.edited("218364519235678@lid")
        assert (event.chat_id, event.phone) == ("", None)

    def test_a_group_key_is_the_group_chat(self):
        [event] = self.edited("120363025246125888@g.us")
        assert (event.chat_id, event.phone) == ("120363025246125888@g.us", None)

    def test_without_the_envelope_sender_there_is_no_telling(self):
        body = load_fixture("evolution", "messages_edited")
        del body["sender"]
        [event] = parse(body)
        assert (event.chat_id, event.phone) == ("", None)

    def test_a_legacy_upsert_edit_takes_the_carrying_messages_chat(self):
        # The protocol key names our number (the customer's side); the
        # carrying message's key, an '@lid' chat, names the phone in remoteJidAlt.
        body = load_fixture("evolution", "edited_message_upsert_legacy")
        body["data"]["key"].update(
            remoteJid="218364519235678@lid", remoteJidAlt="5511987654321@s.whatsapp.net"
        )
        protocol = body["data"]["message"]["editedMessage"]["message"]["protocolMessage"]
        protocol["key"]["remoteJid"] = "5511999990000@s.whatsapp.net"
        [event] = parse(body)
        assert (event.chat_id, event.phone) == ("218364519235678@lid", "5511987654321")

    def test_a_deletion_keyed_by_lid_alone_has_no_phone(self):
        body = load_fixture("evolution", "messages_delete")
        body["data"]["remoteJid"] = "218364519235678@lid"
        [event] = parse(body)
        assert (event.chat_id, event.phone) == ("218364519235678@lid", None)
