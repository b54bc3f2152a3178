"""Writes on sessions, one module per job (HackSoft: services write, selectors read).

- ``lifecycle``: open, create, activate, pause, resume, close, reopen (the
  state machine, ``ALLOWED_TRANSITIONS``);
- ``ai_block``: an agent's AI block, a human takeover, unblock, expiry;
- ``assignment``: department and agent, tags (tabulations);
- ``events``: the timeline row every change leaves (``session_event_record``)
  and the webhook event announcing it (``session_event_publish``);
- ``locking``: the session row locked for a write, the caller's copy synced.

Nothing is re-exported here: import a service from its module
(``from sessions_app.services.ai_block import session_block_ai``), so an
import says which job it depends on.
"""
