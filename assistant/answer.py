"""Answering a closed turn with the organization's assistant.

The assistant plays by the rules an external AI platform does: its reply goes
through ``messaging.outbound.services.message_create_outbound`` (author AI), so a
human who took over while the model was thinking gets the conversation and
the reply is refused, noted in the timeline, never sent. One
``AssistantRun`` per turn (a unique constraint) makes a task that runs twice
answer once; the reply's idempotency key (``assistant:<turn id>``) makes a
retried send store nothing twice.

When the assistant cannot answer (the model server failed after retries or
refused the request, the daily token budget is spent, the session got too
many replies this hour) it hands off to a person instead of leaving the
customer unanswered.

This module is the order of the steps; each has its own module: ``runs``
(the claim, the limits, the run's record), ``prompt`` (what the model
reads), ``conversation`` (the model and tool-call loop), ``replies`` (the
reply and the hand-off).
"""

import logging

from django.utils import timezone

from assistant.conversation import converse, model_config
from assistant.knowledge import knowledge_search
from assistant.llm import ModelError, Usage
from assistant.models import Assistant, AssistantRun, RunStatus
from assistant.prompt import prompt_messages
from assistant.replies import actor_for, handoff, reply_send
from assistant.runs import run_claim, run_finish, run_limit_reason
from assistant.tools import CLOSE_SESSION, OFFER_OPTIONS, TRANSFER_TO_HUMAN
from messaging.models import Turn
from sessions_app.models import ChatSession
from sessions_app.selectors import session_ai_refusal_reason
from sessions_app.services.lifecycle import session_close

logger = logging.getLogger(__name__)


def _answer(run: AssistantRun, turn: Turn, session: ChatSession, assistant: Assistant) -> str:
    usage = Usage()
    refusal = session_ai_refusal_reason(session, now=timezone.now())
    if refusal is not None:
        # Taken over, paused or closed between the dispatch and now.
        run_finish(run, status=RunStatus.SKIPPED, reason=refusal)
        return RunStatus.SKIPPED
    common = {"run": run, "session": session, "assistant": assistant}
    limit = run_limit_reason(assistant, session, run)
    if limit is not None:
        handoff(**common, reason=limit, usage=usage)
        return RunStatus.HANDED_OFF
    config = model_config(assistant)
    if not config.configured:
        handoff(**common, reason="no model server is configured (OPENAI_API_KEY)", usage=usage)
        return RunStatus.HANDED_OFF

    passages = knowledge_search(assistant_id=assistant.pk, question=turn.text)
    run.chunk_ids = [p.chunk_id for p in passages]
    messages = prompt_messages(assistant, session, turn, passages)
    try:
        outcome = converse(run, session, actor_for(assistant), config, messages, usage)
    except ModelError as exc:
        attempts = f" after {exc.attempts} attempts" if exc.attempts > 1 else ""
        handoff(**common, reason=f"the model failed{attempts}: {exc}", usage=usage)
        return RunStatus.HANDED_OFF

    if outcome.action == TRANSFER_TO_HUMAN:
        handoff(
            **common,
            reason=outcome.reason or "requested by the assistant",
            usage=usage,
            text=outcome.text,
            department=outcome.department,
        )
        return RunStatus.HANDED_OFF
    if outcome.action == CLOSE_SESSION:
        reply_send(run, session, assistant, outcome.text, usage)
        session_close(
            session=session,
            end_reason=f"Encerrada pelo assistente: {outcome.reason}"[:500],
            actor=actor_for(assistant),
        )
        run_finish(run, status=RunStatus.CLOSED_SESSION, reason=outcome.reason, usage=usage)
        return RunStatus.CLOSED_SESSION
    if outcome.action == OFFER_OPTIONS:
        if reply_send(run, session, assistant, "", usage, interactive=outcome.interactive) is None:
            run_finish(run, status=RunStatus.REFUSED, reason=run.reason, usage=usage)
            return RunStatus.REFUSED
        run_finish(run, status=RunStatus.ANSWERED, usage=usage)
        return RunStatus.ANSWERED
    if not outcome.text.strip():
        handoff(**common, reason="the model gave an empty answer", usage=usage)
        return RunStatus.HANDED_OFF
    if reply_send(run, session, assistant, outcome.text, usage) is None:
        run_finish(run, status=RunStatus.REFUSED, reason=run.reason, usage=usage)
        return RunStatus.REFUSED
    run_finish(run, status=RunStatus.ANSWERED, usage=usage)
    return RunStatus.ANSWERED


def turn_answer(*, turn_id) -> str:
    """Answer one closed turn; idempotent. Returns what happened (for logs and tests)."""
    turn = (
        Turn.objects.select_related(
            "session__contact",
            "session__organization",
            "session__instance__organization",
            "session__instance__assistant",
        )
        .filter(pk=turn_id)
        .first()
    )
    if turn is None:
        return "gone"
    session = turn.session
    assistant = session.instance.assistant
    if assistant is None or not assistant.is_active:
        return "no_assistant"
    if assistant.organization_id != turn.organization_id:
        return "no_assistant"  # never answer with another tenant's assistant
    run = run_claim(turn, assistant)
    if run is None:
        return "already_answered"
    try:
        return _answer(run, turn, session, assistant)
    except Exception:
        # A bug must not leave the customer waiting forever: hand off, then fail loudly.
        logger.exception("assistant run %s failed", run.pk)
        run.refresh_from_db()
        if run.status == RunStatus.RUNNING:
            handoff(
                run=run,
                session=session,
                assistant=assistant,
                reason="internal error while answering",
                usage=Usage(),
            )
        raise
