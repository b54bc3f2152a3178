"""An ``AssistantRun``: the turn claimed once, the limits checked before a
model call, and how the run ended (tokens, latency, tool calls).
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from assistant.llm import Usage
from assistant.models import Assistant, AssistantRun, RunStatus
from messaging.models import Turn
from sessions_app.models import ChatSession


def run_claim(turn: Turn, assistant: Assistant) -> AssistantRun | None:
    """The turn's run, new; None when another task has (or had) it.

    A RUNNING run older than the task's hard time limit lost its worker
    (killed, redelivered by acks_late): it is taken over with a conditional
    UPDATE, so two workers never both take it.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            return AssistantRun.objects.create(
                organization_id=turn.organization_id,
                assistant=assistant,
                session_id=turn.session_id,
                turn=turn,
                model=assistant.model,
                started_at=now,
            )
    except IntegrityError:
        pass
    stale = now - timedelta(seconds=settings.ASSISTANT_TASK_TIME_LIMIT + 60)
    taken = AssistantRun.objects.filter(
        turn=turn, status=RunStatus.RUNNING, started_at__lt=stale
    ).update(started_at=now)
    return AssistantRun.objects.get(turn=turn) if taken else None


# --- limits --------------------------------------------------------------------


def organization_tokens_today(organization_id) -> int:
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    totals = AssistantRun.objects.filter(
        organization_id=organization_id, started_at__gte=midnight
    ).aggregate(prompt=Sum("prompt_tokens"), completion=Sum("completion_tokens"))
    return (totals["prompt"] or 0) + (totals["completion"] or 0)


def run_limit_reason(assistant: Assistant, session: ChatSession, run: AssistantRun) -> str | None:
    if assistant.max_replies_per_hour:
        replies = (
            AssistantRun.objects.filter(
                session=session,
                status=RunStatus.ANSWERED,
                started_at__gte=timezone.now() - timedelta(hours=1),
            )
            .exclude(pk=run.pk)
            .count()
        )
        if replies >= assistant.max_replies_per_hour:
            return (
                f"this conversation reached {assistant.max_replies_per_hour} assistant "
                "replies in the last hour"
            )
    if assistant.daily_token_budget:
        used = organization_tokens_today(assistant.organization_id)
        if used >= assistant.daily_token_budget:
            return (
                f"the organization's daily token budget is spent "
                f"({used} of {assistant.daily_token_budget})"
            )
    return None


def run_accountability(run: AssistantRun, usage: Usage) -> dict:
    """What the reply's payload says about the run that wrote it."""
    return {
        "assistantId": str(run.assistant_id) if run.assistant_id else None,
        "runId": str(run.id),
        "model": run.model,
        "promptTokens": usage.prompt_tokens,
        "completionTokens": usage.completion_tokens,
        "latencyMs": usage.latency_ms,
        "modelCalls": usage.calls,
        "toolCalls": run.tool_calls,
        "chunkIds": run.chunk_ids,
    }


def run_finish(run: AssistantRun, *, status: str, reason: str = "", usage: Usage | None = None):
    """Record how the run ended, with what it cost when a model was asked."""
    run.status, run.reason, run.finished_at = status, reason[:500], timezone.now()
    fields = ["status", "reason", "finished_at", "tool_calls", "chunk_ids", "reply_message"]
    if usage is not None:
        run.prompt_tokens, run.completion_tokens = usage.prompt_tokens, usage.completion_tokens
        run.latency_ms, run.model_calls = usage.latency_ms, usage.calls
        fields += ["prompt_tokens", "completion_tokens", "latency_ms", "model_calls"]
    run.save(update_fields=fields)
