"""Secrets at rest: the columns hold Fernet tokens, keys rotate, production needs a key."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import InvalidToken
from django.core.management import call_command
from django.db import connection

from assistant.models import Assistant
from core.checks import field_encryption_keys
from core.encryption import local_key, new_key
from integrations.models import Integration
from providers.models import Instance
from tests.support import factories

SECRETS = {
    "credentials": {"apiKey": "gw-key-7f3a9"},
    "app_secret": "meta-app-secret-1b2c",
    "verify_token": "verify-token-8d7e",
}


def _raw(table: str, column: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test's own names
        return cursor.fetchone()[0]


def _stored_secrets(organization):
    instance = factories.make_instance(organization, name="Crypt", **SECRETS)
    integration = Integration.objects.create(
        organization=organization, name="CRM", url="https://crm.example.com/hook"
    )
    assistant = Assistant.objects.create(
        organization=organization, name="Bot", api_key="sk-openai-key-55aa"
    )
    return instance, integration, assistant


def _raw_values(instance, integration, assistant) -> list[str]:
    return [
        _raw("providers_instance", "credentials", instance.pk),
        _raw("providers_instance", "app_secret", instance.pk),
        _raw("providers_instance", "verify_token", instance.pk),
        _raw("integrations_integration", "secret", integration.pk),
        _raw("assistant_assistant", "api_key", assistant.pk),
    ]


def test_the_columns_hold_no_plaintext_and_the_models_read_it_back(organization):
    instance, integration, assistant = _stored_secrets(organization)
    signing_secret = integration.secret

    raw = _raw_values(instance, integration, assistant)
    for value in raw:
        assert value.startswith("gAAAAA")  # a Fernet token (version byte 0x80)
    dump = " ".join(raw)
    for plaintext in ["gw-key-7f3a9", "meta-app-secret-1b2c", "verify-token-8d7e"]:
        assert plaintext not in dump
    assert signing_secret not in dump
    assert "sk-openai-key-55aa" not in dump

    instance.refresh_from_db()
    integration.refresh_from_db()
    assistant.refresh_from_db()
    assert instance.credentials == {"apiKey": "gw-key-7f3a9"}
    assert instance.app_secret == "meta-app-secret-1b2c"
    assert instance.verify_token == "verify-token-8d7e"
    assert integration.secret == signing_secret
    assert assistant.api_key == "sk-openai-key-55aa"


def test_rotation_re_encrypts_every_secret_with_the_newest_key(organization, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    instance, integration, assistant = _stored_secrets(organization)
    before = _raw_values(instance, integration, assistant)

    newest = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [newest, old]
    call_command("rotate_encryption_key", stdout=open(os.devnull, "w"))  # noqa: SIM115
    after = _raw_values(instance, integration, assistant)
    assert all(a != b for a, b in zip(after, before, strict=True))

    # The old key can go: everything opens with the newest alone.
    settings.FIELD_ENCRYPTION_KEYS = [newest]
    assert Instance.objects.get(pk=instance.pk).credentials == {"apiKey": "gw-key-7f3a9"}
    assert Assistant.objects.get(pk=assistant.pk).api_key == "sk-openai-key-55aa"
    # And the old key alone opens nothing any more.
    settings.FIELD_ENCRYPTION_KEYS = [old]
    with pytest.raises(InvalidToken):
        Instance.objects.get(pk=instance.pk)


def test_a_laptop_key_is_made_once_and_kept_private(tmp_path):
    path = tmp_path / "field_encryption.key"
    first = local_key(path)
    assert local_key(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 44


def test_check_deploy_refuses_missing_or_malformed_keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    assert [e.id for e in field_encryption_keys(None)] == ["core.E001"]
    settings.FIELD_ENCRYPTION_KEYS = [new_key(), "not-a-key"]
    errors = field_encryption_keys(None)
    assert [e.id for e in errors] == ["core.E002"]
    assert "key 2" in errors[0].msg
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    assert field_encryption_keys(None) == []


@pytest.mark.worker  # a separate Python process
def test_production_refuses_to_start_without_a_key(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FIELD_ENCRYPTION_KEYS", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"DEBUG": "false", "SECRET_KEY": new_key(), "ATENDE_VAR_DIR": str(tmp_path)})
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off." in done.stderr
    assert not (tmp_path / "field_encryption.key").exists()
