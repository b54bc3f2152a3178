"""Outbound: ``services`` (a reply and its rules: AI blocking, takeover, the
24 h window, idempotency) and ``sending`` (the send task, statuses, retries)."""
