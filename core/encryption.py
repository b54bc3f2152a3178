"""Secrets at rest: Fernet tokens under the keys of ``FIELD_ENCRYPTION_KEYS``.

The first key encrypts, every key decrypts (``MultiFernet``), so a new key is
put first, ``manage.py rotate_encryption_key`` re-encrypts every stored
secret with it, and the old key can then be dropped. A Fernet token is
authenticated (AES-128-CBC + HMAC-SHA256): a column edited by hand or a
wrong key fails loudly instead of yielding garbage.
"""

import base64
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

ROTATE_BATCH = 500


def new_key() -> str:
    """A Fernet key: 32 random bytes, URL-safe base64 (44 characters)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def local_key(path: Path) -> str:
    """The laptop's key, made once under ``var/`` and reused by every process.

    Created exclusively (O_EXCL) so two processes starting together cannot
    each write a different key; readable by its owner only.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = new_key()
        handle.write(key + "\n")
    return key


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must hold at least one key.")
    return _multi_fernet(keys)


def invalid_keys(keys: Iterable[str]) -> list[int]:
    """Positions (from 1) of the keys Fernet refuses."""
    bad = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            bad.append(position)
    return bad


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def _rotate_column(table: str, pk: str, column: str, using: str = "default") -> int:
    """Re-encrypt every non-null value of one column with the first key.

    Raw SQL on purpose: the rotation sees the stored text, not the field's
    decrypted value, and touches no ``updated_at``. Rows are read in
    primary-key order in batches, so a large table is never held in memory
    and an interrupted run can simply be started again.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    table, pk, column = quote(table), quote(pk), quote(column)
    changed = 0
    last = None
    while True:
        with connection.cursor() as cursor:
            where = f"WHERE {column} IS NOT NULL" + (f" AND {pk} > %s" if last is not None else "")
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} {where} ORDER BY {pk} LIMIT {ROTATE_BATCH}",  # noqa: S608 - quoted identifiers of our own models
                [last] if last is not None else [],
            )
            rows = cursor.fetchall()
            for row_pk, value in rows:
                new_value = fernet().rotate(value.encode()).decode()
                if new_value != value:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608 - as above
                        [new_value, row_pk],
                    )
                    changed += 1
        if len(rows) < ROTATE_BATCH:
            return changed
        last = rows[-1][0]


def rotate_columns(model, fields: Iterable[str], using: str = "default") -> int:
    """Re-encrypt ``fields`` of every row with the first key."""
    meta = model._meta
    return sum(
        _rotate_column(meta.db_table, meta.pk.column, meta.get_field(f).column, using)
        for f in fields
    )
