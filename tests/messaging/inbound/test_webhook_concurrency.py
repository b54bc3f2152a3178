"""Two first messages from a new number at the same moment: one contact, one session."""

import threading

import pytest
from django.db import connection

from contacts.models import Contact
from messaging.models import Message
from sessions_app.models import ChatSession
from tests.support.replay import load_fixture
from tests.support.webhooks import post_webhook

pytestmark = pytest.mark.usefixtures("inbox_inline")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fixture", ["text", "lid_only"])
def test_concurrent_first_messages_share_one_contact_and_session(evolution_instance, fixture):
    bodies = []
    for n in range(4):
        body = load_fixture("evolution", fixture)
        body["data"]["key"]["id"] = f"RACE{n:016d}"
        bodies.append(body)
    barrier = threading.Barrier(len(bodies))
    statuses = []

    def deliver(body):
        try:
            barrier.wait(timeout=10)
            statuses.append(post_webhook(evolution_instance, body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [200, 200, 200, 200]
    assert Contact.objects.count() == 1
    assert ChatSession.objects.count() == 1
    assert Message.objects.count() == 4
