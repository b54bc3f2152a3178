from django.apps import apps
from django.core.management.base import BaseCommand

from core.encryption import rotate_columns
from core.fields import EncryptedJSONField, EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEYS. "
        "Run it after putting a new key first; the old keys can go once it is done."
    )

    def handle(self, *args, **options) -> None:
        total = 0
        for model in apps.get_models():
            fields = [
                field.name
                for field in model._meta.concrete_fields
                if isinstance(field, EncryptedTextField | EncryptedJSONField)
            ]
            if fields:
                count = rotate_columns(model, fields)
                total += count
                self.stdout.write(f"{model._meta.label}: {count} value(s) re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"{total} value(s) re-encrypted in all."))
