"""Bursts measured on arrival times, drained by chat partitions, closed behind a watermark."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from messaging import pipeline
from messaging.inbound.drain import PROCESSED, inbox_drain_instance, inbox_drain_partition
from messaging.inbound.inbox import inbox_partition
from messaging.inbound.tasks import inbox_drain
from messaging.models import Message, Turn, WebhookInbox
from messaging.turns.close import turn_close_when_due, turn_due, turns_close_batch
from providers.baileys import parser as baileys_parser
from providers.base import MessageDeleteEvent, MessageEditEvent, MessageEvent
from providers.cloudapi import parser as cloudapi_parser
from providers.evolution import parser as evolution_parser
from providers.sandbox import parser as sandbox_parser
from providers.uazapi import parser as uazapi_parser
from tests.support.replay import fixture_names, load_fixture
from tests.support.webhooks import DUPLICATE, QUEUED, post_webhook

pytestmark = pytest.mark.usefixtures("inbox_inline")

WINDOW = 2


@pytest.fixture
def held(monkeypatch):
    """No drain runs until the test says: the worker is busy elsewhere. The
    turn tasks due now and the closes a drain queues run at once, in this
    process; later ones are only recorded."""
    woken = []
    monkeypatch.setattr(inbox_drain, "apply_async", lambda args, **options: woken.append(args))

    def turn_task(args, kwargs=None, countdown=None, **options):
        if not countdown:
            turn_due.apply(args, kwargs)

    monkeypatch.setattr(turn_due, "apply_async", turn_task)
    monkeypatch.setattr(
        turns_close_batch, "apply_async", lambda args, **options: turns_close_batch.apply(args)
    )
    return woken


@pytest.fixture
def instance(evolution_instance):
    evolution_instance.concat_timeout = WINDOW
    evolution_instance.save()
    return evolution_instance


def say(instance, phone: str, message_id: str, text: str):
    body = load_fixture("evolution", "text")
    body["data"]["key"].update(
        id=message_id, remoteJid=f"{phone}@s.whatsapp.net", remoteJidAlt=f"9{phone}@lid"
    )
    body["data"]["message"]["conversation"] = text
    return post_webhook(instance, body)


def arrived(message_id: str, seconds_ago: float) -> None:
    """Set when a pending webhook reached us."""
    row = next(r for r in WebhookInbox.objects.all() if r.body["data"]["key"]["id"] == message_id)
    WebhookInbox.objects.filter(pk=row.pk).update(
        received_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def turn_texts() -> list[str]:
    return [t.text for t in Turn.objects.order_by("first_message_at")]


@pytest.mark.django_db
def test_a_burst_ingested_long_after_it_arrived_is_one_turn_and_a_pause_still_splits(
    instance, held
):
    """Windows go by arrival: three messages 0.5 s apart, then five seconds of
    silence, then two more, all ingested at once twelve seconds later."""
    phone = "5511987654321"
    for n, (text, ago) in enumerate(
        [("um", 12), ("dois", 11.5), ("três", 11), ("quatro", 6), ("cinco", 5.5)]
    ):
        assert say(instance, phone, f"M{n}", text).json() == QUEUED
        arrived(f"M{n}", ago)

    assert inbox_drain_instance(instance.pk)[PROCESSED] == 5

    assert turn_texts() == ["um\ndois\ntrês", "quatro\ncinco"]
    assert list(Turn.objects.values_list("status", flat=True)) == ["CLOSED", "CLOSED"]
    first = Message.objects.order_by("concat_seq").first()
    assert first.received_at < first.created_at - timedelta(seconds=11)


@pytest.mark.django_db
def test_a_due_turn_waits_for_an_older_pending_webhook_of_its_chat_and_closes_once_it_is_in(
    instance, held, settings
):
    settings.WEBHOOK_INBOX_DRAIN_BATCH = 1
    phone = "5511987654321"
    say(instance, phone, "A", "meu pedido")
    say(instance, phone, "B", "é o 4521")
    arrived("A", 10)
    arrived("B", 9)
    partition = WebhookInbox.objects.first().partition
    # The first row only: its turn is due (window ended 7 s ago) ...
    run = inbox_drain_partition(instance.pk, partition, budget_seconds=0)
    assert (run[PROCESSED], run["more"]) == (1, True)
    turn = Turn.objects.get()
    # ... but "B" arrived inside its window and is still in the inbox.
    assert turn_close_when_due(turn.pk) == ("waiting_inbox", None)
    assert Turn.objects.get().status == "OPEN"

    inbox_drain_partition(instance.pk, partition)

    turn = Turn.objects.get()
    assert (turn.status, turn.text, turn.messages_count) == ("CLOSED", "meu pedido\né o 4521", 2)


@pytest.mark.django_db
def test_a_pending_webhook_of_another_chat_holds_no_turn_back(instance, held):
    say(instance, "5511987654321", "A", "oi")
    say(instance, "5521912345679", "B", "olá")
    arrived("A", 10)
    arrived("B", 9)
    rows = {r.body["data"]["key"]["id"]: r.partition for r in WebhookInbox.objects.all()}
    assert rows["A"] != rows["B"]  # these two chats fall in different partitions

    inbox_drain_partition(instance.pk, rows["A"])

    assert turn_texts() == ["oi"]
    assert Turn.objects.get().status == "CLOSED"
    assert WebhookInbox.objects.filter(processed_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_row_that_failed_holds_no_turn_back_while_it_waits_for_its_retry(instance, held):
    say(instance, "5511987654321", "A", "oi")
    say(instance, "5511987654321", "B", "tudo bem?")
    arrived("A", 10)
    arrived("B", 9)
    WebhookInbox.objects.filter(body__data__key__id="B").update(
        attempts=1, last_error="OperationalError: connection lost"
    )
    partition = WebhookInbox.objects.first().partition

    inbox_drain_partition(instance.pk, partition)

    assert turn_texts() == ["oi"]
    assert WebhookInbox.objects.filter(processed_at__isnull=True).count() == 1


def test_both_forms_of_a_brazilian_mobile_share_a_partition(settings):
    settings.WEBHOOK_INBOX_PARTITIONS = 64

    def event(phone):
        return MessageEvent(
            provider_message_id="x", from_me=False, chat_id=f"{phone}@s.whatsapp.net",
            phone=phone, wa_ids=(), kind="text",
        )  # fmt: skip

    assert inbox_partition([event("5531987654321")]) == inbox_partition([event("553187654321")])
    assert len({inbox_partition([event(f"55119876543{n:02d}")]) for n in range(40)}) > 8
    assert inbox_partition([]) == 0


PARSERS = {
    "baileys": baileys_parser.parse,
    "evolution": evolution_parser.parse,
    "uazapi": uazapi_parser.parse,
    "cloudapi": lambda body: cloudapi_parser.parse(body, phone_number_id=""),
    "sandbox": sandbox_parser.parse,
}


def revision_fixtures() -> list[tuple[str, str]]:
    """Every gateway's edit and deletion fixtures (all in the chat of its text fixture)."""
    cases = []
    for gateway, parse in PARSERS.items():
        for name in sorted(fixture_names(gateway)):
            events = parse(load_fixture(gateway, name))
            if any(isinstance(e, MessageEditEvent | MessageDeleteEvent) for e in events):
                cases.append((gateway, name))
    return cases


@pytest.mark.parametrize(("gateway", "name"), revision_fixtures())
def test_an_edit_or_deletion_lands_in_its_chats_partition(settings, gateway, name):
    settings.WEBHOOK_INBOX_PARTITIONS = 64
    parse = PARSERS[gateway]
    [revision] = parse(load_fixture(gateway, name))
    [text] = parse(load_fixture(gateway, "text"))
    assert isinstance(text, MessageEvent)
    assert revision.phone == text.phone == "5511987654321"
    assert inbox_partition([text]) != 0  # not where a revision naming no chat goes
    assert inbox_partition([revision]) == inbox_partition([text])


def test_the_revision_forms_of_every_gateway_are_covered():
    assert {gateway for gateway, _ in revision_fixtures()} == set(PARSERS)


def revise(instance, event: str, message_id: str, phone: str):
    """An Evolution edit (messages.edited) or deletion (messages.delete) in phone's chat."""
    if event == "edit":
        body = load_fixture("evolution", "messages_edited")
        body["data"]["key"].update(id=message_id, remoteJid=f"{phone}@s.whatsapp.net")
        body["data"]["editedMessage"]["conversation"] = f"{message_id} editado"
    else:
        body = load_fixture("evolution", "messages_delete")
        body["data"].update(id=message_id, remoteJid=f"{phone}@s.whatsapp.net")
    return post_webhook(instance, body)


@pytest.mark.django_db
@pytest.mark.parametrize("known_customer", [False, True])
def test_an_edit_and_a_deletion_wait_in_their_chat_behind_the_message(
    instance, held, known_customer
):
    # A known customer's plain texts may be ingested together (ingest_batch):
    # a revision naming their chat keeps that chat on the per-row path, in order.
    phone = "5521912345679"
    if known_customer:
        say(instance, phone, "Z", "bom dia")
        inbox_drain_partition(instance.pk, WebhookInbox.objects.get().partition)
    for response in (
        say(instance, phone, "A", "oi"),
        revise(instance, "edit", "A", phone),
        say(instance, phone, "B", "tchau"),
        revise(instance, "delete", "B", phone),
    ):
        assert response.json() == QUEUED
    pending = WebhookInbox.objects.filter(processed_at__isnull=True)
    partitions = set(pending.values_list("partition", flat=True))
    assert len(partitions) == 1 and partitions != {0}

    inbox_drain_partition(instance.pk, partitions.pop())

    edited, deleted = (
        Message.objects.get(provider_message_id="A"),
        Message.objects.get(provider_message_id="B"),
    )
    assert (edited.text, edited.edit_history[0]["text"]) == ("A editado", "oi")
    assert deleted.deleted_at is not None
    assert not WebhookInbox.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_chats_drain_in_parallel_and_each_keeps_its_order(instance, held, monkeypatch):
    chats = {"5511987654321": [], "5521912345679": []}
    for n in range(4):
        for phone in chats:
            message_id = f"{phone[-4:]}-{n}"
            say(instance, phone, message_id, f"{phone[-4:]} #{n}")
            chats[phone].append(message_id)
    # A gateway retry with other bytes: the same message id must store once.
    body = load_fixture("evolution", "text")
    body["data"]["key"].update(
        id="4321-0", remoteJid="5511987654321@s.whatsapp.net", remoteJidAlt="95511987654321@lid"
    )
    body["data"]["message"]["conversation"] = "4321 #0"
    body["data"]["messageTimestamp"] = 1760900999
    assert post_webhook(instance, body).json() == QUEUED
    assert post_webhook(instance, body).json() == DUPLICATE  # the same bytes

    partitions = sorted(set(WebhookInbox.objects.values_list("partition", flat=True)))
    assert len(partitions) == 2
    # The first drain stays inside its batch until the second has finished.
    second_done = threading.Event()
    real_hook = pipeline.on_customer_message

    def slow_hook(message, **kwargs):
        second_done.wait(timeout=10)
        real_hook(message, **kwargs)

    outcomes = {}

    def drain(partition):
        try:
            outcomes[partition] = inbox_drain_partition(instance.pk, partition)
        finally:
            connection.close()

    monkeypatch.setattr("messaging.pipeline.on_customer_message", slow_hook)
    first = threading.Thread(target=drain, args=(partitions[0],))
    first.start()
    time.sleep(0.3)
    monkeypatch.setattr("messaging.pipeline.on_customer_message", real_hook)
    drain(partitions[1])
    second_done.set()
    first.join(timeout=30)

    assert outcomes[partitions[1]]["busy"] is False
    assert outcomes[partitions[1]][PROCESSED] >= 4
    assert sum(o[PROCESSED] for o in outcomes.values()) == 9
    assert Message.objects.count() == 8
    for phone, ids in chats.items():
        stored = Message.objects.filter(contact__phone=phone).order_by("concat_seq")
        assert list(stored.values_list("provider_message_id", flat=True)) == ids
    assert not WebhookInbox.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_drain_of_a_busy_partition_leaves_at_once(instance, held):
    say(instance, "5511987654321", "A", "oi")
    partition = WebhookInbox.objects.get().partition
    ready, release = threading.Event(), threading.Event()

    def hold_the_lock():
        from messaging.inbound.drain import drain_lock

        try:
            with drain_lock(instance.pk, partition) as got:
                assert got
                ready.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    ready.wait(timeout=10)
    try:
        assert inbox_drain_partition(instance.pk, partition)["busy"] is True
        assert Message.objects.count() == 0
    finally:
        release.set()
        holder.join(timeout=10)
    assert inbox_drain_partition(instance.pk, partition)[PROCESSED] == 1
