"""Driving the real inbound path and waiting for the worker."""

import time

from django.db import transaction

from messaging.models import Author, Direction, Message
from messaging.pipeline import on_business_message, on_customer_message
from tests.support import factories


def customer_says(session, text: str = "oi", **fields):
    """What ingest does for a new customer message: store it, then the hook, in one transaction.

    Media given a ``transcription_status`` is then marked as already
    transcribed (the hook queues its transcription as PENDING).
    """
    with transaction.atomic():
        message = factories.make_message(session, text=text, **fields)
        on_customer_message(message)
        if "transcription_status" in fields:
            Message.objects.filter(pk=message.pk).update(
                transcription_status=fields["transcription_status"],
                transcription=fields.get("transcription", ""),
            )
    return message


def phone_says(session, text: str, **fields):
    """A message typed on the business phone (fromMe) as ingest stores it."""
    with transaction.atomic():
        message = factories.make_message(
            session, text=text, direction=Direction.OUTBOUND, author=Author.BUSINESS, **fields
        )
        on_business_message(message)
    return message


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.1):
    """Poll until ``predicate()`` is truthy; return its value (or the last one on timeout).

    It returns as soon as the outcome is there: the timeout only bounds how
    long a broken test hangs, and is generous because a busy machine (a
    parallel run, a shared CI runner) may take a while to get there."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
