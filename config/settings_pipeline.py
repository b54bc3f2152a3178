"""Settings of the message pipeline: turns, the door, the webhook inbox,
deliveries to integrations and sends to the gateways.

Imported by ``config.settings``; see docs/PIPELINE.md.
"""

from config.env import env

# --- Turns (debounce) and integration deliveries --------------------------
# A burst of customer messages closes early after this many seconds from its
# first message, or at this many messages, so a chatty customer still gets
# answers.
CONCAT_MAX_WAIT_SECONDS = env.int("CONCAT_MAX_WAIT_SECONDS", default=60)
CONCAT_MAX_MESSAGES = env.int("CONCAT_MAX_MESSAGES", default=20)
# How long a closing turn waits for media transcriptions still running
# (counted from its last message) before it goes with a placeholder.
CONCAT_MEDIA_WAIT_SECONDS = env.int("CONCAT_MEDIA_WAIT_SECONDS", default=60)
# An OPEN turn this many seconds past its window lost its task (a worker
# killed, Redis flushed): the sweeper (every 5 s) closes it.
CONCAT_SWEEP_GRACE_SECONDS = env.int("CONCAT_SWEEP_GRACE_SECONDS", default=3)
# The arrival stamped at the edge (messaging.inbound.door): the header in
# which the reverse proxy says when each request came in (X-Request-Start,
# "t=<seconds.millis>", "t=<millis>" or "t=<micros>"). Read only when set,
# and the proxy must overwrite any value a client sends (docs/DEPLOY.md).
# Empty: a webhook arrives when a web process handles it. A stamp is
# trusted at most ARRIVAL_MAX_LAG_SECONDS into the past, never the future.
ARRIVAL_HEADER = env.str("ARRIVAL_HEADER", default="")
ARRIVAL_MAX_LAG_SECONDS = env.float("ARRIVAL_MAX_LAG_SECONDS", default=60.0)
# A message its sender deleted for everyone is hidden at once; its text,
# media, transcription and earlier versions are kept this many days (for a
# dispute or an audit) and then erased by a daily task.
DELETED_MESSAGE_RETENTION_DAYS = env.int("DELETED_MESSAGE_RETENTION_DAYS", default=30)
# Seconds between webhook delivery attempts: 8 tries over about an hour.
INTEGRATION_RETRY_BACKOFF_SECONDS = [
    int(s) for s in env.list("INTEGRATION_RETRY_BACKOFF_SECONDS", default=[])
] or [30, 60, 120, 300, 600, 900, 1500]

# --- Webhook inbox (messaging.inbound.inbox) ----------------------------
# A partition with rows still pending this many seconds after arrival has
# lost its drain (a killed worker, a flushed Redis, a failed wake-up): the
# sweeper (every 5 s) wakes it again.
WEBHOOK_INBOX_REQUEUE_AFTER_SECONDS = env.int("WEBHOOK_INBOX_REQUEUE_AFTER_SECONDS", default=5)
# A run's claim on a row in the embedded SQLite setup (no advisory locks);
# must exceed the task's hard time limit (60 s). On PostgreSQL a drain that
# holds its partition's lock takes over the rows a dead drain had claimed.
WEBHOOK_INBOX_CLAIM_SECONDS = env.int("WEBHOOK_INBOX_CLAIM_SECONDS", default=120)
# Runs that failed (other than an unparseable body) before a row is left alone.
WEBHOOK_INBOX_MAX_ATTEMPTS = env.int("WEBHOOK_INBOX_MAX_ATTEMPTS", default=8)
# A row that failed n times is tried again n times this many seconds after
# it arrived (and, failed, holds no turn back meanwhile).
WEBHOOK_INBOX_RETRY_SECONDS = env.int("WEBHOOK_INBOX_RETRY_SECONDS", default=15)
# Each instance's inbox is split by chat into this many partitions, each
# drained by one task at a time: chats drain in parallel on several workers,
# one chat's webhooks in arrival order.
WEBHOOK_INBOX_PARTITIONS = env.int("WEBHOOK_INBOX_PARTITIONS", default=4)
# A drain claims this many rows at a time (ingested together where they are
# plain texts of known customers) and hands over to a fresh task, at the
# back of the queue, after this many seconds: a worker process is never held
# so long that the turn tasks due meanwhile wait for a free one.
WEBHOOK_INBOX_DRAIN_BATCH = env.int("WEBHOOK_INBOX_DRAIN_BATCH", default=200)
WEBHOOK_INBOX_DRAIN_SECONDS = env.int("WEBHOOK_INBOX_DRAIN_SECONDS", default=2)
# Each web process remembers the instance a webhook URL names this long: a
# deactivated instance or a changed secret reaches webhooks that much later.
WEBHOOK_INSTANCE_CACHE_SECONDS = env.int("WEBHOOK_INSTANCE_CACHE_SECONDS", default=5)
# Processed rows are kept this long (and a byte-identical retry is a
# duplicate for as long), then the daily cleanup deletes them.
WEBHOOK_INBOX_RETENTION_DAYS = env.int("WEBHOOK_INBOX_RETENTION_DAYS", default=7)

# --- Sends to the gateways -------------------------------------------------
# Meta's Graph API, for Cloud API instances without a base URL of their own.
CLOUDAPI_BASE_URL = env.str("CLOUDAPI_BASE_URL", default="https://graph.facebook.com/v21.0")

# An outbound message PENDING and untouched this long lost its send task
# (longer than the send retries' largest backoff, 600 s + jitter).
OUTBOUND_REQUEUE_AFTER_SECONDS = env.int("OUTBOUND_REQUEUE_AFTER_SECONDS", default=900)
# First wait before a send is retried (doubles each try, capped at 600 s).
OUTBOUND_RETRY_BASE_SECONDS = env.float("OUTBOUND_RETRY_BASE_SECONDS", default=10)

# --- Agents -----------------------------------------------------------------
# An online or away agent without any request this long goes offline
# (automatic assignment gives conversations to online agents only).
AGENT_IDLE_OFFLINE_MINUTES = env.int("AGENT_IDLE_OFFLINE_MINUTES", default=30)
