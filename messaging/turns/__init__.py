"""Concatenation (debounce): a burst of customer messages becomes one turn.

The six ways a turn closes (``Turn.close_reason``, ``CloseReason``; drawn
in docs/PIPELINE.md, "How a turn closes"):

- ``window``: its window passed after its last message (``turn_due``, or
  the drain that ingested the webhooks it waited for);
- ``max_wait``: ``CONCAT_MAX_WAIT_SECONDS`` after its first message;
- ``max_messages``: ``CONCAT_MAX_MESSAGES`` reached, at once;
- ``media_timeout``: a transcription still unfinished
  ``CONCAT_MEDIA_WAIT_SECONDS`` past the window (a placeholder goes);
- ``swept``: its task was lost, the beat sweeper closed it (``sweeper``);
- ``emptied``: every message was deleted (``messaging.inbound.revisions``);
  nothing is dispatched.

All but ``emptied`` go through one claim (``finish.turns_claim_and_finish``).
Before a window's close the turns ask the inbox whether it has caught up
(``messaging.inbound.watermark``); the inbox reaches the turns only
through ``messaging.pipeline``.

How it stays correct with many workers and across restarts:

- Each customer message increments ``session.concat_seq`` (an UPDATE, so
  messages of one session are serialized by the row lock) and joins the
  session's OPEN turn (one conditional UPDATE; the partial unique index
  ``one_open_turn_per_session`` makes "create if none" race-safe).
- Only the message that opens a turn schedules a task: ``turn_due`` with a
  countdown of the window. When it runs it reads the turn: later messages
  moved ``last_message_at``, so the window ends later → it schedules itself
  for the new end (one task per turn and pause in the burst, not one per
  message: each costs the broker, the worker and the database). At the end
  it claims the turn with a conditional UPDATE (OPEN and still at the
  sequence it read → CLOSED). Only one claimer can win; the same
  transaction assembles the text and writes the dispatch outbox rows, so a
  turn is closed and offered to the AI exactly once. A task of a turn that
  is no longer open ends the chain.
- State lives in PostgreSQL, not in the broker: if a countdown task is lost
  (Redis flushed, worker killed) the beat sweeper finds OPEN turns well
  past their window and closes them through the same claim.
- Bounds: a turn closes early at ``CONCAT_MAX_MESSAGES`` messages or
  ``CONCAT_MAX_WAIT_SECONDS`` after its first message. Media still being
  transcribed holds the close for up to ``CONCAT_MEDIA_WAIT_SECONDS``
  (counted from the turn's last message); then a placeholder goes instead.

- A wave's turns fall due together: a turn's task closes its turn with the
  other due turns of its instance, and a drain queues its partition's
  caught-up turns as batches (``together``): one transaction, one claim and
  one batch of deliveries for up to ``CLOSE_BATCH`` turns, each turn still
  checked and claimed as its own task would.

Modules: window (when a turn closes), arrival (messages join or open
a turn), close (when a turn may close, the tasks), together (due turns
closed in batches), finish (the claim, the text, the dispatch), sweeper
(lost turns), text (the burst as one text), dispatch (to integrations or
the built-in assistant).
"""
