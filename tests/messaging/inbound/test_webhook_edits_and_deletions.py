"""Each gateway's edit and deletion fixtures, posted as the gateway would, change the
stored message exactly once; an edit or deletion of a message we do not have is 200."""

import pytest

from contacts.models import Contact
from messaging.models import Message
from tests.support.replay import load_fixture
from tests.support.webhooks import QUEUED, last_inbox_row, post_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]

# (gateway, the message fixture, its edits (the same edit in each form the
# gateway sends it), its deletions, the original text, the new text)
CASES = {
    "baileys": (
        "text",
        ["edit_protocol_web", "edit_phone_wrapped", "edit_update"],
        ["revoke_protocol", "revoke_update"],
        "Boa tarde! Vocês abrem sábado?",
        "Boa tarde! Vocês abrem domingo?",
    ),
    "evolution": (
        "text",
        ["messages_edited", "edited_message_upsert_legacy"],
        ["messages_edited_revoke", "messages_delete", "status_deleted", "protocol_revoke"],
        "Olá, quero saber o preço do plano",
        "Olá, quero saber o preço do plano anual",
    ),
    "uazapi": (
        "text",
        ["text_edited"],
        [],
        "Olá, tudo bem?",
        "Olá, tudo bem? Queria o plano anual",
    ),
    "cloudapi": (
        "text",
        ["edit"],
        ["revoke"],
        "Olá! Quero falar com um atendente",
        "Olá! Quero falar com um atendente, por favor",
    ),
    "sandbox": ("text", ["edit"], ["delete"], "Olá, sandbox!", "Olá, sandbox! Tudo bem?"),
}


@pytest.mark.parametrize("gateway", sorted(CASES))
def test_every_form_of_an_edit_and_a_deletion_applies_once(request, gateway):
    instance = request.getfixturevalue(f"{gateway}_instance")
    message_fixture, edits, deletions, old_text, new_text = CASES[gateway]
    assert post_webhook(instance, load_fixture(gateway, message_fixture)).json() == QUEUED

    for index, name in enumerate(edits):
        assert post_webhook(instance, load_fixture(gateway, name)).status_code == 200
        assert last_inbox_row().result["revisions"] == (1 if index == 0 else 0)
    message = Message.objects.get()
    assert (message.text, [v["text"] for v in message.edit_history]) == (new_text, [old_text])
    assert message.is_edited

    for index, name in enumerate(deletions):
        assert post_webhook(instance, load_fixture(gateway, name)).status_code == 200
        assert last_inbox_row().result["revisions"] == (1 if index == 0 else 0)
    message.refresh_from_db()
    assert (message.is_deleted, message.deleted_by) == (
        bool(deletions),
        "CUSTOMER" if deletions else "",
    )


@pytest.mark.parametrize(
    ("gateway", "fixture"),
    [("baileys", "edit_update"), ("baileys", "revoke_protocol"), ("evolution", "messages_delete")],
)
def test_an_edit_or_deletion_of_a_message_we_do_not_have_is_200_and_stores_nothing(
    request, gateway, fixture
):
    instance = request.getfixturevalue(f"{gateway}_instance")
    response = post_webhook(instance, load_fixture(gateway, fixture))
    assert response.json() == QUEUED
    assert last_inbox_row().result["ignoredReasons"][0].endswith(": unknown message")
    assert (Message.objects.count(), Contact.objects.count()) == (0, 0)


def test_our_own_message_deleted_from_the_business_phone_is_marked(baileys_instance):
    sent = load_fixture("baileys", "from_me_phone")
    sent["data"]["messages"][0]["key"]["id"] = "3EB0C431C26A1D8BC6B4"
    post_webhook(baileys_instance, sent)
    post_webhook(baileys_instance, load_fixture("baileys", "revoke_from_business_phone"))
    message = Message.objects.get(provider_message_id="3EB0C431C26A1D8BC6B4")
    assert (message.author, message.deleted_by) == ("BUSINESS", "BUSINESS")


def test_a_lid_sender_gets_the_phone_a_later_baileys_event_reveals(baileys_instance):
    lid_only = load_fixture("baileys", "lid_sender_pn")
    key = lid_only["data"]["messages"][0]["key"]
    del key["senderPn"]
    key["id"] = "3B61A2B3C4D5E6F7A8B0"
    post_webhook(baileys_instance, lid_only)
    assert Contact.objects.get().phone in ("", None)

    post_webhook(baileys_instance, load_fixture("baileys", "lid_sender_pn"))

    contact = Contact.objects.get()
    assert contact.phone == "5531987654321"
    assert Message.objects.filter(contact=contact).count() == 2
