"""Deployment checks (``manage.py check --deploy``) for the project's own settings."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from core.encryption import invalid_keys


@register(Tags.security, deploy=True)
def field_encryption_keys(app_configs, **kwargs) -> list[Error]:
    """Secrets are stored encrypted: production needs real keys from its environment."""
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS is empty: stored secrets cannot be encrypted.",
                hint="Generate one with `python manage.py generate_encryption_key`.",
                id="core.E001",
            )
        ]
    return [
        Error(
            f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key.",
            hint="A key is 32 random bytes in URL-safe base64 (44 characters).",
            id="core.E002",
        )
        for position in invalid_keys(keys)
    ]
