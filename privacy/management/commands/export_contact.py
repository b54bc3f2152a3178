import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contacts.models import Contact
from privacy.models import Export, ExportStatus
from privacy.services.export import export_run


class Command(BaseCommand):
    help = (
        "Export everything stored about a contact (LGPD) as a ZIP, built here rather than "
        "by a worker; the file is kept in the media storage for 24 h like an API export."
    )

    def add_arguments(self, parser):
        parser.add_argument("contact_id", help="The contact's id (UUID).")
        parser.add_argument("--output", help="Also copy the ZIP to this path.")

    def handle(self, *args, contact_id, output=None, **options) -> None:
        contact = Contact.objects.filter(pk=contact_id).first()
        if contact is None:
            raise CommandError(f"No contact {contact_id}.")
        export = Export.objects.create(
            organization_id=contact.organization_id, contact=contact, requested_by="command"
        )
        if export_run(export.pk) != ExportStatus.READY:
            export.refresh_from_db()
            raise CommandError(f"The export failed: {export.error}")
        export.refresh_from_db()
        if output:
            with export.file.open("rb") as source, Path(output).open("wb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
        self.stdout.write(
            f"Export {export.id}: {export.messages_count} messages, {export.media_count} media "
            f"files, {export.size} bytes, stored as {export.file.name}"
            + (f", copied to {output}" if output else "")
        )
