"""Erasing one contact on request (LGPD art. 18, VI): the person goes, the counts stay.

The contact row stays as an anonymous tombstone ("Contato removido", every
identifier empty) so its sessions keep counting in reports; everything that
said something about the person is blanked or deleted in one transaction
(``privacy.services.content``); the files go from storage after it commits.
An ``Erasure`` row records who asked, when, why and how many rows each table
lost, and nothing about the person.

No hash of the phone is kept. A phone number is a short, guessable key (a
Brazilian mobile is one of about 10^9 numbers), so its hash identifies the
person as well as the number does: keeping it would keep personal data. The
price: a gateway that re-sends a webhook from before the erasure creates a
new contact, as any message from that number afterwards does.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact
from core.errors import ValidationError
from core.metrics import ERASURES, on_commit_inc
from messaging.inbound.replies import offered_options_forget
from messaging.models import Message, Turn
from privacy.models import Erasure
from privacy.services.content import (
    admin_log_blank,
    deliveries_blank,
    inbox_rows_delete,
    messages_blank,
    sandbox_outbox_delete,
    session_events_blank,
    turns_blank,
)
from privacy.services.export import contact_exports_delete
from sessions_app.models import ChatSession, SessionStatus

# Stored in Portuguese, as the console shows it to every agent.
TOMBSTONE_NAME = "Contato removido"
REASON_MAX = 500


def phone_forms(phone: str | None) -> set[str]:
    """The ways a stored phone appears in gateway payloads (a Brazilian mobile
    with and without its ninth digit)."""
    if not phone:
        return set()
    forms = {phone}
    if phone.startswith("55") and len(phone) == 13 and phone[4] == "9":
        forms.add(phone[:4] + phone[5:])
    return forms


def _identifiers(contact: Contact) -> set[str]:
    found = phone_forms(contact.phone)
    for wa_id in contact.whatsapp_ids.values_list("wa_id", flat=True):
        found.add(wa_id)
        found.add(wa_id.split("@", 1)[0].split(":", 1)[0])
    return {value for value in found if len(value) >= 6}


def contact_erase_content(contact: Contact) -> dict:
    """Blank or delete everything about ``contact``; return rows per table.

    Inside the caller's transaction; the contact row itself is left to the caller.
    """
    identifiers = _identifiers(contact)
    session_ids = list(ChatSession.objects.filter(contact=contact).values_list("pk", flat=True))
    instance_ids = set(
        ChatSession.objects.filter(pk__in=session_ids).values_list("instance_id", flat=True)
    )
    if contact.source_instance_id:
        instance_ids.add(contact.source_instance_id)
    instance_ids = list(instance_ids)
    message_ids = list(Message.objects.filter(contact=contact).values_list("pk", flat=True))
    # Webhooks older than the inbox's retention are gone already: only the
    # recent messages' ids are worth searching for (a long history would
    # otherwise mean thousands of text searches).
    recent = timezone.now() - timedelta(days=settings.WEBHOOK_INBOX_RETENTION_DAYS + 1)
    provider_ids = set(
        Message.objects.filter(
            pk__in=message_ids, provider_message_id__isnull=False, created_at__gte=recent
        ).values_list("provider_message_id", flat=True)
    )
    turn_ids = list(Turn.objects.filter(session_id__in=session_ids).values_list("pk", flat=True))
    counts = {
        # Before the messages lose their provider ids, which find the webhooks.
        "webhookInbox": inbox_rows_delete(instance_ids, identifiers | provider_ids),
        "sandboxOutbox": sandbox_outbox_delete(instance_ids, identifiers | provider_ids),
        **deliveries_blank(
            contact.organization_id,
            {str(contact.pk), *map(str, session_ids), *identifiers},
            turn_ids,
        ),
        **messages_blank(message_ids),
        **turns_blank(turn_ids),
    }
    now = timezone.now()
    counts["openSessionsClosed"] = (
        ChatSession.objects.filter(pk__in=session_ids)
        .exclude(status=SessionStatus.CLOSED)
        .update(status=SessionStatus.CLOSED, closed_at=now)
    )
    counts["sessions"] = ChatSession.objects.filter(pk__in=session_ids).update(
        status_reason="",
        end_reason="",
        external_id="",
        assigned_customer_id="",
        ai_block_reason="",
        csat_comment="",
        updated_at=now,
    )
    counts["sessionEvents"] = session_events_blank(session_ids)
    # The numbered menus remembered for its sessions (option titles offered to it).
    offered_options_forget(session_ids)
    counts["exports"] = contact_exports_delete(contact)
    counts["whatsappIds"] = contact.whatsapp_ids.all().delete()[0]
    counts["contactTags"] = contact.contact_tabulations.all().delete()[0]
    counts["adminLog"] = (
        admin_log_blank(Contact, [contact.pk], TOMBSTONE_NAME)
        + admin_log_blank(ChatSession, session_ids, "")
        + admin_log_blank(Message, message_ids, "")
    )
    return counts


def contact_erase(
    *, contact: Contact, reason: str, source: str, requested_by: str
) -> tuple[Erasure, bool]:
    """Erase the contact; ``(erasure, created)``. Again on an erased contact:
    its first erasure, unchanged (idempotent)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Say why the contact's data is erased."),
            details={"reason": ["This field may not be blank."]},
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("The reason is too long."),
            details={"reason": [f"At most {REASON_MAX} characters."]},
        )
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        existing = Erasure.objects.filter(contact=contact).first()
        if existing is not None:
            return existing, False
        counts = contact_erase_content(contact)
        Contact.objects.filter(pk=contact.pk).update(
            name=TOMBSTONE_NAME,
            phone=None,
            email="",
            external_id="",
            profile_picture_url="",
            erased_at=timezone.now(),
            updated_at=timezone.now(),
        )
        counts["contacts"] = 1
        on_commit_inc(ERASURES, source=source)
        erasure = Erasure.objects.create(
            organization_id=contact.organization_id,
            contact=contact,
            source=source,
            requested_by=requested_by[:200],
            reason=reason,
            counts=counts,
        )
    return erasure, True
