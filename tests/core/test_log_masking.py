"""What the formatters do to a line: readable text with the ids, secrets masked."""

import json
import logging

import pytest

from core.logging import (
    ContextFilter,
    MaskingJsonFormatter,
    MaskingTextFormatter,
    bind_log_context,
    mask_secrets,
    new_log_context,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "POST /api/v1/webhooks/evolution/Zx9-secret_1 HTTP/1.1",
            "POST /api/v1/webhooks/evolution/*** HTTP/1.1",
        ),
        (
            "POST /api/v1/webhooks/uazapi/Zx9secret/messages",
            "POST /api/v1/webhooks/uazapi/***/messages",
        ),
        (
            "GET /api/v1/webhooks/cloudapi/s3cr3t?hub.mode=subscribe&hub.verify_token=vt1",
            "GET /api/v1/webhooks/cloudapi/***?hub.mode=subscribe&hub.verify_token=***",
        ),
        ("GET /x?token=abc&apikey=def&page=2", "GET /x?token=***&apikey=***&page=2"),
        ("Authorization: Bearer ak_live.XYZ", "Authorization: Bearer ***"),
        ("from 5511987654321@s.whatsapp.net", "from *********4321@s.whatsapp.net"),
        ("contact +5531987654321 wrote", "contact +*********4321 wrote"),
    ],
)
def test_secrets_and_phone_numbers_are_masked(line, expected):
    assert mask_secrets(line) == expected


def test_ids_are_kept():
    line = (
        "POST /api/v1/webhooks/baileys/i/2b1c3d4e-aaaa-bbbb-cccc-123456789012 "
        "delivery 123e4567-e89b-12d3-a456-426614174000 at 1764500000"
    )
    assert mask_secrets(line) == line


def _record(message: str, *args) -> logging.LogRecord:
    record = logging.LogRecord("messaging.ingest", logging.INFO, __file__, 1, message, args, None)
    ContextFilter().filter(record)
    return record


def test_a_terminal_line_is_readable_text_with_the_ids():
    new_log_context(request_id="req-1")
    bind_log_context(organization_id="org-1", message_id="msg-1")
    try:
        line = MaskingTextFormatter().format(_record("stored from %s", "5511987654321"))
    finally:
        new_log_context()

    assert " INFO messaging.ingest [request=req-1 organization=org-1 message=msg-1] " in line
    assert line.endswith("stored from *********4321")


def test_a_production_line_is_one_json_object_with_the_ids():
    new_log_context(task_id="task-9")
    bind_log_context(session_id="ses-1")
    try:
        line = MaskingJsonFormatter().format(_record("sent to /webhooks/evolution/abc123"))
    finally:
        new_log_context()

    record = json.loads(line)
    assert record["level"] == "INFO"
    assert record["logger"] == "messaging.ingest"
    assert record["message"] == "sent to /webhooks/evolution/***"
    assert (record["task_id"], record["session_id"]) == ("task-9", "ses-1")
    assert "request_id" not in record
    assert "time" in record
