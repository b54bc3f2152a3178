from django.core.management.base import BaseCommand, CommandError

from contacts.models import Contact
from core.errors import DomainError
from privacy.models import ErasureSource
from privacy.services.erasure import contact_erase


class Command(BaseCommand):
    help = (
        "Erase a contact's personal data (LGPD): texts, media, transcriptions, payloads "
        "and stored webhooks go; the contact stays as an anonymous tombstone. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("contact_id", help="The contact's id (UUID).")
        parser.add_argument("--reason", required=True, help="Why (no personal data).")

    def handle(self, *args, contact_id, reason, **options) -> None:
        contact = Contact.objects.filter(pk=contact_id).first()
        if contact is None:
            raise CommandError(f"No contact {contact_id}.")
        try:
            erasure, created = contact_erase(
                contact=contact, reason=reason, source=ErasureSource.COMMAND, requested_by="command"
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        if not created:
            self.stdout.write(f"Already erased at {erasure.created_at.isoformat()} ({erasure.id}).")
            return
        for table, count in sorted(erasure.counts.items()):
            self.stdout.write(f"{table}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Erased ({erasure.id})."))
