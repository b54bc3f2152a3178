"""Every periodic task, declared once, installed by ``core.schedules``.

name -> (task name, every N seconds): the explicit ``name=`` of the task,
which stays when its module moves. Apps add their housekeeping here.
"""

PERIODIC_TASKS: dict[str, tuple[str, int]] = {
    "worker-heartbeat": ("core.tasks.heartbeat", 15),
    # Connection webhooks update instances at once; polling catches silent drops.
    "instances-poll-connection": ("providers.tasks.instances_poll_connection", 300),
    # Cloud API message templates (also synced on demand and on Meta's webhook).
    "templates-sync": ("providers.tasks.templates_sync_all", 3 * 3600),
    "transcription-requeue-stale": ("messaging.media.transcription_requeue_stale", 60),
    "transcription-cache-cleanup": ("messaging.media.transcription_cache_cleanup", 86400),
    # Turns whose debounce task was lost (Redis flushed, worker killed).
    "turns-sweep-lost-windows": ("messaging.turns.turns_sweep_lost_windows", 5),
    # Outbound sends whose task was lost.
    "outbound-requeue-lost": ("messaging.outbound.outbound_requeue_lost", 60),
    "deliveries-requeue-lost": ("integrations.tasks.deliveries_requeue_lost", 5),
    # Inbox partitions whose drain was lost; processed rows past retention.
    "webhook-inbox-requeue-lost": ("messaging.inbox.inbox_requeue_lost", 5),
    "webhook-inbox-cleanup": ("messaging.inbox.inbox_cleanup", 86400),
    # Content of messages deleted for everyone, past DELETED_MESSAGE_RETENTION_DAYS.
    "deleted-messages-erase": ("messaging.revisions.deleted_messages_erase", 86400),
    "sessions-expire-ai-blocks": ("sessions_app.tasks.sessions_expire_ai_blocks", 60),
    "sessions-resume-paused": ("sessions_app.tasks.sessions_resume_paused", 60),
    "sessions-close-idle": ("sessions_app.tasks.sessions_close_idle", 300),
    "agents-idle-offline": ("accounts.tasks.agents_idle_offline", 60),
    # Conversations waiting for a person whose department opened meanwhile.
    "sessions-assign-waiting": ("sessions_app.tasks.sessions_assign_waiting", 60),
    # Turns meant for the built-in assistant whose task was lost.
    "assistant-requeue-lost": ("assistant.requeue_lost", 60),
    # LGPD exports past their 24 h download window lose their file.
    "privacy-exports-expire": ("privacy.exports_expire", 3600),
    # Content past each organization's retention (docs/PRIVACY.md).
    "privacy-retention-apply": ("privacy.retention_apply", 86400),
}
