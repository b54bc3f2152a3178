"""Inbound messages: contact, session and message, exactly once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Contact, ContactWhatsAppId
from messaging.inbound.drain import PROCESSED, inbox_drain_instance
from messaging.inbound.tasks import inbox_drain
from messaging.models import (
    Author,
    DeliveryStatus,
    Direction,
    Message,
    TranscriptionStatus,
    WebhookInbox,
)
from sessions_app.models import ChatSession, SessionStatus
from tests.support import factories
from tests.support.replay import load_fixture
from tests.support.webhooks import DUPLICATE, QUEUED, last_inbox_row, post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]


def test_it_stores_an_inbound_text_message(evolution_instance):
    response = post_webhook(evolution_instance, load_fixture("evolution", "text"))

    assert response.status_code == 200
    assert response.json() == QUEUED
    row = last_inbox_row()
    assert row.processed_at is not None
    assert (row.attempts, row.last_error, row.result) == (
        1,
        "",
        {
            "stored": 1,
            "duplicates": 0,
            "echoes": 0,
            "statuses": 0,
            "revisions": 0,
            "ignored": 0,
            "ignoredReasons": [],
        },
    )
    assert row.body == load_fixture("evolution", "text")
    contact = Contact.objects.get()
    assert (contact.phone, contact.name, contact.source_instance_id) == (
        "5511987654321",
        "Maria Souza",
        evolution_instance.id,
    )
    assert sorted(ContactWhatsAppId.objects.values_list("wa_id", flat=True)) == [
        "218364519235678@lid",
        "5511987654321@s.whatsapp.net",
    ]
    session = ChatSession.objects.get()
    assert (session.status, session.started_by, session.contact_id) == (
        SessionStatus.QUEUED,
        "CUSTOMER",
        contact.id,
    )
    assert session.last_message_at is not None
    message = Message.objects.get()
    assert (
        message.direction,
        message.author,
        message.kind,
        message.text,
        message.provider_message_id,
        message.session_id,
        message.contact_id,
    ) == (
        Direction.INBOUND,
        Author.CUSTOMER,
        "text",
        "Olá, quero saber o preço do plano",
        "A1B2C3D4E5F60718293A4B5C6D7E8F90",
        session.id,
        contact.id,
    )
    assert message.raw_payload["key"]["id"] == "A1B2C3D4E5F60718293A4B5C6D7E8F90"


def test_the_same_payload_three_times_stores_one_message(evolution_instance):
    body = load_fixture("evolution", "image")
    answers = [post_webhook(evolution_instance, body).json() for _ in range(3)]

    assert answers == [QUEUED, DUPLICATE, DUPLICATE]
    assert WebhookInbox.objects.count() == 1
    assert Message.objects.count() == 1
    assert Contact.objects.count() == 1
    assert ChatSession.objects.count() == 1


def test_the_same_message_in_another_body_is_a_duplicate_message(evolution_instance):
    # A gateway may re-send a message with other bytes (a new date_time):
    # the inbox keeps both bodies, the provider message id stores it once.
    body = load_fixture("evolution", "image")
    post_webhook(evolution_instance, body)
    body["date_time"] = "2025-06-01T12:00:09.000Z"
    assert post_webhook(evolution_instance, body).json() == QUEUED

    assert WebhookInbox.objects.count() == 2
    assert last_inbox_row().result["duplicates"] == 1
    assert Message.objects.count() == 1
    assert Contact.objects.count() == 1
    assert ChatSession.objects.count() == 1


def test_a_retried_old_message_does_not_open_a_session_after_close(evolution_instance):
    body = load_fixture("evolution", "text")
    post_webhook(evolution_instance, body)
    ChatSession.objects.update(status=SessionStatus.CLOSED, end_reason="done")
    body["date_time"] = "2025-06-01T12:00:09.000Z"  # other bytes: past the inbox

    post_webhook(evolution_instance, body)

    assert last_inbox_row().result["duplicates"] == 1
    assert Message.objects.count() == 1
    assert ChatSession.objects.count() == 1


def test_a_closed_session_is_never_reopened_by_a_customer(evolution_instance):
    post_webhook(evolution_instance, load_fixture("evolution", "text"))
    first = ChatSession.objects.get()
    first.status = SessionStatus.CLOSED
    first.save()

    post_webhook(evolution_instance, load_fixture("evolution", "quoted_text"))

    first.refresh_from_db()
    assert first.status == SessionStatus.CLOSED
    second = ChatSession.objects.exclude(pk=first.pk).get()
    assert second.status == SessionStatus.QUEUED
    assert Message.objects.get(provider_message_id__startswith="B7C8").session_id == second.id


def test_both_brazilian_forms_are_one_contact(evolution_instance, uazapi_instance):
    nine = load_fixture("evolution", "text")
    nine["data"]["key"].update(remoteJid="5531987654321@s.whatsapp.net", remoteJidAlt=None)
    post_webhook(evolution_instance, nine)
    # UAZapi reports the same person without the 9th digit.
    post_webhook(uazapi_instance, load_fixture("uazapi", "lid_sender_9th_digit"))

    contact = Contact.objects.get()
    assert contact.phone == "5531987654321"
    assert Message.objects.filter(contact=contact).count() == 2
    assert ChatSession.objects.filter(contact=contact).count() == 2  # one per instance


def test_a_lid_only_sender_gets_a_contact_found_again_by_its_lid(evolution_instance):
    body = load_fixture("evolution", "lid_only")
    post_webhook(evolution_instance, body)
    body["data"]["key"]["id"] = "BD4E03E2C1F5D6B7A8F0"
    post_webhook(evolution_instance, body)

    contact = Contact.objects.get()
    assert (contact.phone, contact.name) == (None, "Cliente Anônimo")
    assert list(contact.whatsapp_ids.values_list("wa_id", flat=True)) == ["987654321012345@lid"]
    assert ChatSession.objects.count() == 1
    assert Message.objects.filter(contact=contact).count() == 2


def test_a_lid_contact_adopts_its_phone_when_a_message_reveals_it(evolution_instance):
    lid_only = load_fixture("evolution", "lid_only")
    lid_only["data"]["key"]["remoteJid"] = "218364519235678@lid"
    post_webhook(evolution_instance, lid_only)
    post_webhook(evolution_instance, load_fixture("evolution", "lid_with_phone_alt"))

    contact = Contact.objects.get()
    assert contact.phone == "5531987654321"
    assert sorted(contact.whatsapp_ids.values_list("wa_id", flat=True)) == [
        "218364519235678@lid",
        "553187654321@s.whatsapp.net",
    ]


def test_the_phone_contact_wins_over_a_lid_only_twin(organization, evolution_instance):
    phone_contact = factories.make_contact(organization, phone="5531987654321", name="Ana")
    lid_only = load_fixture("evolution", "lid_only")
    lid_only["data"]["key"]["remoteJid"] = "218364519235678@lid"
    post_webhook(evolution_instance, lid_only)
    twin = Contact.objects.exclude(pk=phone_contact.pk).get()

    post_webhook(evolution_instance, load_fixture("evolution", "lid_with_phone_alt"))

    lid = ContactWhatsAppId.objects.get(wa_id="218364519235678@lid")
    assert lid.contact_id == phone_contact.id
    assert Message.objects.get(provider_message_id="AC3F92D1B0E4C5A6F7D8").contact_id == (
        phone_contact.id
    )
    assert twin.messages.count() == 1


def test_group_messages_are_ignored_by_default(evolution_instance):
    response = post_webhook(evolution_instance, load_fixture("evolution", "group_message"))
    assert response.status_code == 200
    assert last_inbox_row().result["ignored"] == 1
    assert Message.objects.count() == 0
    assert Contact.objects.count() == 0


def test_group_messages_are_stored_when_the_instance_allows_them(uazapi_instance):
    uazapi_instance.ignore_groups = False
    uazapi_instance.save()
    post_webhook(uazapi_instance, load_fixture("uazapi", "group_message"))

    group = Contact.objects.get()
    assert (group.phone, group.name) == (None, "Clientes VIP")
    assert list(group.whatsapp_ids.values_list("wa_id", flat=True)) == ["120363041234567890@g.us"]
    message = Message.objects.get()
    assert message.payload["participant"] == {
        "phone": "5521998877665",
        "waIds": ["5521998877665@s.whatsapp.net", "204915783649332@lid"],
        "name": "Carlos",
    }


def test_media_messages_keep_their_descriptor_and_queue_transcription(uazapi_instance):
    post_webhook(uazapi_instance, load_fixture("uazapi", "audio_ptt"))

    message = Message.objects.get()
    assert (
        message.kind,
        message.media_mimetype,
        message.media_size,
        message.media_duration,
        message.media_ref,
        message.transcription_status,
    ) == (
        "voice",
        "audio/ogg; codecs=opus",
        9811,
        5.0,
        {"messageid": "3EB0C1C2C3C4C5C6C7C8", "mimetype": "audio/ogg; codecs=opus"},
        TranscriptionStatus.PENDING,
    )


def test_a_message_typed_on_the_phone_is_a_business_message(evolution_instance):
    post_webhook(evolution_instance, load_fixture("evolution", "text"))
    post_webhook(evolution_instance, load_fixture("evolution", "from_me_phone"))

    assert last_inbox_row().result["stored"] == 1
    message = Message.objects.get(provider_message_id="3A7C1E5D9B2F4A6C8E0D")
    assert (message.direction, message.author, message.delivery_status, message.text) == (
        Direction.OUTBOUND,
        Author.BUSINESS,
        DeliveryStatus.SENT,
        "Oi Maria, aqui é o Pedro da loja",
    )
    session = ChatSession.objects.get()
    assert message.session_id == session.id
    # The pipeline's takeover: a human is talking, the AI steps back.
    assert session.ai_blocked_until is not None and session.ai_blocked_until > timezone.now()


def test_a_business_message_to_a_new_number_opens_a_business_session(baileys_instance):
    post_webhook(baileys_instance, load_fixture("baileys", "from_me_phone"))

    session = ChatSession.objects.get()
    assert session.started_by == "BUSINESS"
    assert Message.objects.get().author == Author.BUSINESS


def _outbound(instance, **fields):
    contact = factories.make_contact(instance.organization, phone="5511987654321")
    session = factories.make_session(contact=contact, instance=instance)
    fields.setdefault("delivery_status", DeliveryStatus.PENDING)
    return factories.make_message(
        session,
        text="Olá! Como posso ajudar?",
        direction=Direction.OUTBOUND,
        author=Author.AI,
        **fields,
    )


def test_the_echo_of_our_send_updates_the_outbound_row(evolution_instance):
    sent = _outbound(evolution_instance, provider_message_id="3EB0A0B1C2D3E4F5A6B7C8")

    post_webhook(evolution_instance, load_fixture("evolution", "send_message_echo"))

    assert last_inbox_row().result["echoes"] == 1
    assert Message.objects.count() == 1
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.SENT


def test_an_echo_arriving_before_the_send_task_stored_the_id_is_matched(evolution_instance):
    in_flight = _outbound(evolution_instance, send_attempts=1)

    post_webhook(evolution_instance, load_fixture("evolution", "send_message_echo"))

    assert last_inbox_row().result["echoes"] == 1
    assert Message.objects.count() == 1
    in_flight.refresh_from_db()
    assert (in_flight.provider_message_id, in_flight.delivery_status) == (
        "3EB0A0B1C2D3E4F5A6B7C8",
        DeliveryStatus.SENT,
    )


def test_an_api_echo_matching_nothing_stores_nothing(uazapi_instance):
    post_webhook(uazapi_instance, load_fixture("uazapi", "from_me_api_echo"))

    assert last_inbox_row().result["ignored"] == 1
    assert Message.objects.count() == 0


def test_a_batch_stores_messages_and_applies_statuses(cloudapi_instance):
    sent = _outbound(
        cloudapi_instance,
        provider_message_id="wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1QjFGMTk5RkU0MjcxQzNEAA==",
        send_attempts=1,
        delivery_status=DeliveryStatus.SENT,
    )
    post_webhook(cloudapi_instance, load_fixture("cloudapi", "batch_message_and_status"))

    assert (last_inbox_row().result["stored"], last_inbox_row().result["statuses"]) == (1, 1)
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.DELIVERED
    inbound = Message.objects.get(direction=Direction.INBOUND)
    assert (inbound.text, inbound.session_id) == ("Primeira", sent.session_id)


def test_the_webhook_answers_after_two_queries_and_wakes_one_drain(
    evolution_instance, django_assert_num_queries
):
    queued = []
    body = load_fixture("evolution", "text")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inbox_drain, "apply_async", lambda *args, **options: queued.append(args))
        # The instance by its secret; the inbox insert. The ingest is the drain's.
        with django_assert_num_queries(2):
            response = post_webhook(evolution_instance, body)
        assert response.json() == QUEUED
        # While that drain is pending, more webhooks queue no task of their own.
        for n in range(3):
            body["data"]["key"]["id"] = f"MORE{n}"
            assert post_webhook(evolution_instance, body).json() == QUEUED
    assert len(queued) == 1
    assert WebhookInbox.objects.filter(processed_at__isnull=True).count() == 4
    assert Message.objects.count() == 0

    # The drain (as a worker runs it) ingests all four, then a new webhook wakes the next.
    # One customer, one chat: one partition's drain.
    assert queued == [((str(evolution_instance.pk), last_inbox_row().partition),)]
    assert inbox_drain.apply(*queued[0]).get()[PROCESSED] == 4
    assert Message.objects.count() == 4
    body["data"]["key"]["id"] = "AFTER"
    assert post_webhook(evolution_instance, body).json() == QUEUED
    assert Message.objects.count() == 5


def _drain_queries(instance, phones, round_):
    """Post one text from each phone, then drain; the drain's queries."""
    body = load_fixture("evolution", "text")
    for n, phone in enumerate(phones):
        body["data"]["key"]["id"] = f"R{round_}-{n}"
        body["data"]["key"]["remoteJid"] = f"{phone}@s.whatsapp.net"
        body["data"]["key"]["remoteJidAlt"] = f"9{phone}@lid"
        body["data"]["pushName"] = "Cliente"
        post_webhook(instance, body)
    with CaptureQueriesContext(connection) as captured:
        counts = inbox_drain_instance(instance.pk)
    assert counts[PROCESSED] == len(phones)
    return len(captured.captured_queries)


def test_a_drain_of_returning_customers_costs_the_same_queries_however_many_they_are(
    evolution_instance, monkeypatch, settings
):
    """The batched path: a known contact with an open session costs no query of its own."""
    settings.WEBHOOK_INBOX_PARTITIONS = 1  # one drain measured whole
    # The longest window: on a busy machine the rounds may take longer than
    # the default one, and a drain then also closes the turns come due.
    evolution_instance.concat_timeout = 60
    evolution_instance.save(update_fields=["concat_timeout"])
    monkeypatch.setattr(inbox_drain, "apply_async", lambda *args, **options: None)
    phones = [f"55119876543{n:02d}" for n in range(40)]
    _drain_queries(evolution_instance, phones, 0)  # contacts, sessions and turns open

    ten = _drain_queries(evolution_instance, phones[:10], 1)
    forty = _drain_queries(evolution_instance, phones, 2)

    # Claim; the senders; stored ids; savepoint; insert; sessions; open turns;
    # turns; messages' turns; inbox rows; release; the watermark; due turns;
    # a last empty claim; the lock and its release.
    assert ten == forty <= 20
    assert Message.objects.count() == 40 + 10 + 40
    assert set(Message.objects.values_list("turn__messages_count", flat=True)) == {3, 2}


def test_a_send_whose_id_a_twin_row_adopted_is_still_marked_sent(evolution_instance):
    from messaging.outbound.sending import _mark_sent
    from providers.base import SendResult

    twin = _outbound(evolution_instance, provider_message_id="3EB0TWIN")
    ours = factories.make_message(
        twin.session, text=twin.text, direction=Direction.OUTBOUND, author=Author.AI
    )

    _mark_sent(ours, SendResult(provider_message_id="3EB0TWIN"))

    ours.refresh_from_db()
    twin.refresh_from_db()
    assert (ours.delivery_status, ours.provider_message_id) == (DeliveryStatus.SENT, None)
    assert twin.provider_message_id == "3EB0TWIN"
