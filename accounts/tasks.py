"""Celery tasks for this app: thin, idempotent, ids in and out."""
