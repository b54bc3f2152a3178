"""Inbound: gateway webhooks to stored messages.

``webhooks`` (the view: answer fast, store the body) → ``inbox`` (the
durable row, its wake-up, tasks, sweeper) → ``drain`` (claim a partition's
rows in arrival order) → ``ingest`` / ``ingest_batch`` (contacts, sessions,
messages: ``senders`` finds the sender, ``store`` inserts the row once,
``echoes`` takes ``fromMe`` messages) with ``revisions`` (edits, deletions)
and ``commands`` (``@`` commands typed on the business phone); ``ignored``
keeps bodies with nothing to ingest.
"""
