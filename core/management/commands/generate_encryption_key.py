from django.core.management.base import BaseCommand

from core.encryption import new_key


class Command(BaseCommand):
    help = "Print a new key for FIELD_ENCRYPTION_KEYS (put it first to start using it)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(new_key())
