"""Each bench's own PostgreSQL database and Redis db, on the servers that
``DATABASE_URL`` and ``REDIS_URL`` name (``make bench``'s defaults
otherwise): a bench's Celery worker on another's Redis db would consume,
and drop, that one's tasks, and a database is dropped and made again at
every run. ``production_env`` is what the bench's processes run with.
"""

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from cryptography.fernet import Fernet

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/atende_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"


def fresh_database(name: str) -> str:
    """Drop and create the database ``name``; its URL."""
    parts = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def redis_url(db: int | None = None, *, override: str = "") -> str:
    """The environment's ``override`` variable when set; else ``REDIS_URL``'s
    server on database ``db`` (``REDIS_URL`` as it is when ``db`` is None)."""
    if override and os.environ.get(override):
        return os.environ[override]
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    if db is None:
        return url
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def production_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The settings a bench's web, worker and commands run with: production's
    (no DEBUG), on this bench's database and Redis db."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-secret",
        # Production refuses to start without one; a throwaway key per run.
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Plain HTTP on loopback: no TLS terminator in front to redirect to.
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
