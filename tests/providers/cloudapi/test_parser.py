# ruff: noqa: E501  (expected payloads quote provider strings verbatim)
"""Every cloudapi fixture, parsed to its exact normalized events."""

import datetime

import pytest

from providers.base import (
    IgnoredEvent,
    InboundMedia,
    MessageDeleteEvent,
    MessageEditEvent,
    MessageEvent,
    StatusEvent,
    TemplateStatusEvent,
)
from providers.cloudapi.parser import parse
from tests.support.replay import fixture_names, load_fixture, without_raw

pytestmark = pytest.mark.usefixtures("inbox_inline")

EXPECTED = {
    "template_status_rejected": [
        TemplateStatusEvent(
            template_id="1004",
            name="promo_natal",
            language="pt_BR",
            status="REJECTED",
            reason="INVALID_FORMAT",
        )
    ],
    "template_status_approved": [
        TemplateStatusEvent(
            template_id="1001",
            name="pedido_enviado",
            language="pt_BR",
            status="APPROVED",
            reason="",
        )
    ],
    "template_quick_reply": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFlRFTVBMQVRFQlROMDAwMDAwMDAwMQA=",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="text",
            text="Obrigado",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "wamid.TEST0001",
                "reply": {"id": "Obrigado", "title": "Obrigado"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "interactive_list_reply": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFkxJU1RSRVBMWTAwMDAwMDAwMDAwMQA=",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="text",
            text="Segunda via",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkxJU1RNRU5VMDAwMDAxAA==",
                "reply": {"id": "boleto", "title": "Segunda via"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "account_update_field": [
        IgnoredEvent(event_type="account_update", reason="field"),
    ],
    "audio_voice": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA4QTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="voice",
            text="",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="audio/ogg; codecs=opus",
                filename="",
                size=None,
                duration=None,
                ref={"mediaId": "2054126981745621", "mimetype": "audio/ogg; codecs=opus"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "batch_message_and_status": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBCQVRDSDAwMDAwMDAwMDAwMQA=",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="text",
            text="Primeira",
            push_name="Maria Souza",
            media=None,
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
        StatusEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1QjFGMTk5RkU0MjcxQzNEAA==",
            status="DELIVERED",
            error="",
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 13, tzinfo=datetime.UTC),
        ),
    ],
    "brazil_wa_id_without_ninth_digit": [
        MessageEvent(
            provider_message_id="wamid.HBgMNTUzMTg3NjU0MzIxFQIAEhgWM0VCMEJSOTEwMDAwMDAwMDAwMDAxAA==",
            from_me=False,
            chat_id="553187654321",
            phone="5531987654321",
            wa_ids=("553187654321@s.whatsapp.net",),
            kind="text",
            text="Oi, sou de BH",
            push_name="Ana Lima",
            media=None,
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "contacts": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA9QTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="contact",
            text="João Silva",
            push_name="Maria Souza",
            media=None,
            payload={
                "contacts": [{"name": "João Silva", "phones": ["5511912345678"]}],
                "name": "João Silva",
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "document": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA6QTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="document",
            text="Contrato",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="application/pdf",
                filename="contrato.pdf",
                size=None,
                duration=None,
                ref={"mediaId": "891723648216734", "mimetype": "application/pdf"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "image": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA3QTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="image",
            text="Nota fiscal",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="image/jpeg",
                filename="",
                size=None,
                duration=None,
                ref={"mediaId": "1037543291543636", "mimetype": "image/jpeg"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "interactive_button_reply": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjABQTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="text",
            text="Confirmar",
            push_name="Maria Souza",
            media=None,
            payload={
                "quotedId": "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkJUTlJFUExZMDAwMDAxAA==",
                "reply": {"id": "confirm_yes", "title": "Confirmar"},
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        )
    ],
    "location": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA8QTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="location",
            text="Praça da Sé — Praça da Sé - Sé, São Paulo - SP",
            push_name="Maria Souza",
            media=None,
            payload={
                "latitude": -23.5505,
                "longitude": -46.6333,
                "name": "Praça da Sé",
                "address": "Praça da Sé - Sé, São Paulo - SP",
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "other_phone_number": [
        IgnoredEvent(event_type="messages", reason="for phone number id 999999999999999"),
    ],
    "reaction": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjAAQTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="reaction",
            text="😀",
            push_name="Maria Souza",
            media=None,
            payload={
                "emoji": "😀",
                "targetId": "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1QjFGMTk5RkU0MjcxQzNEAA==",
            },
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "status_delivered": [
        StatusEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1QjFGMTk5RkU0MjcxQzNEAA==",
            status="DELIVERED",
            error="",
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 13, tzinfo=datetime.UTC),
        ),
    ],
    "status_failed": [
        StatusEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1QjFGMTk5RkU0MjcxQzNEAA==",
            status="FAILED",
            error="131047 Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 12, tzinfo=datetime.UTC),
            error_code="131047",
            error_title="Re-engagement message",
        ),
    ],
    "status_read": [
        StatusEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1QjFGMTk5RkU0MjcxQzNEAA==",
            status="READ",
            error="",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 10, tzinfo=datetime.UTC),
        ),
    ],
    "status_sent": [
        StatusEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1QjFGMTk5RkU0MjcxQzNEAA==",
            status="SENT",
            error="",
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 11, tzinfo=datetime.UTC),
        ),
    ],
    "sticker": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA7QTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="sticker",
            text="",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="image/webp",
                filename="",
                size=None,
                duration=None,
                ref={"mediaId": "781294562837465", "mimetype": "image/webp"},
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
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA1QTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="text",
            text="Olá! Quero falar com um atendente",
            push_name="Maria Souza",
            media=None,
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "text_reply_context": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA2QTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="text",
            text="Sim, esse mesmo",
            push_name="Maria Souza",
            media=None,
            payload={"quotedId": "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1QjFGMTk5RkU0MjcxQzNEAA=="},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "unsupported": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjACQTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="unsupported",
            text="",
            push_name="Maria Souza",
            media=None,
            payload={"type": "unsupported"},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "video": [
        MessageEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA5QTk3NUE4QjlDMEQxRTJGAA==",
            from_me=False,
            chat_id="5511987654321",
            phone="5511987654321",
            wa_ids=("5511987654321@s.whatsapp.net",),
            kind="video",
            text="",
            push_name="Maria Souza",
            media=InboundMedia(
                mimetype="video/mp4",
                filename="",
                size=None,
                duration=None,
                ref={"mediaId": "1512351439678244", "mimetype": "video/mp4"},
            ),
            payload={},
            timestamp=datetime.datetime(2025, 10, 21, 14, 32, 10, tzinfo=datetime.UTC),
            is_group=False,
            sent_by_api=False,
            raw={},
        ),
    ],
    "edit": [
        MessageEditEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA1QTk3NUE4QjlDMEQxRTJGAA==",
            text="Olá! Quero falar com um atendente, por favor",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 9, tzinfo=datetime.UTC),
            chat_id="5511987654321",
            phone="5511987654321",
            raw={},
        ),
    ],
    "revoke": [
        MessageDeleteEvent(
            provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA1QTk3NUE4QjlDMEQxRTJGAA==",
            timestamp=datetime.datetime(2025, 10, 21, 14, 33, 15, tzinfo=datetime.UTC),
            chat_id="5511987654321",
            phone="5511987654321",
            raw={},
        ),
    ],
}


class TestCloudApiFixtures:
    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_it_normalizes_the_fixture(self, name):
        body = load_fixture("cloudapi", name)
        events = parse(body, phone_number_id="106540352242922")
        assert without_raw(events) == EXPECTED[name]

    def test_every_fixture_is_replayed(self):
        assert fixture_names("cloudapi") == set(EXPECTED)
