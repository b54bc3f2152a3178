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
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation

from accounts.models import Department
from assistant.knowledge import Passage, knowledge_search
from assistant.llm import ModelConfig, ModelError, Usage, chat
from assistant.models import Assistant, AssistantRun, RunStatus
from assistant.tools import CLOSE_SESSION, TOOLS, TRANSFER_TO_HUMAN, tool_run
from core.errors import Conflict
from integrations.deliveries import event_publish
from integrations.models import Event
from messaging.models import Author, Message, MessageKind, Turn
from messaging.outbound.services import message_create_outbound
from sessions_app.models import ChatSession
from sessions_app.payloads import SESSION_EVENT_KEYS, session_payload
from sessions_app.selectors import session_ai_refusal_reason
from sessions_app.services.ai_block import session_takeover
from sessions_app.services.assignment import session_assign
from sessions_app.services.events import session_event_record
from sessions_app.services.lifecycle import session_close

logger = logging.getLogger(__name__)

ANSWERED_BY = "assistant"
DEFAULT_HANDOFF_MESSAGE = (
    "Vou transferir você para um de nossos atendentes. Aguarde um momento, por favor."
)
DEFAULT_SYSTEM_PROMPT = (
    "Você é o assistente virtual da empresa no WhatsApp. Responda em português do Brasil, "
    "de forma breve, cordial e objetiva. Não invente informações: quando não souber, "
    "ou quando o cliente pedir uma pessoa, use transfer_to_human."
)
HUMAN_NOTE = "[mensagem de um atendente humano] "
MEDIA_LABELS = {
    MessageKind.AUDIO: "áudio",
    MessageKind.VOICE: "áudio",
    MessageKind.IMAGE: "imagem",
    MessageKind.VIDEO: "vídeo",
    MessageKind.STICKER: "figurinha",
    MessageKind.DOCUMENT: "documento",
}
HISTORY_SKIPPED_KINDS = frozenset({MessageKind.COMMAND, MessageKind.REACTION})
HUMAN_AUTHORS = frozenset({Author.AGENT, Author.BUSINESS})


def actor_for(assistant: Assistant) -> str:
    return f"assistant:{assistant.name}"[:200]


# --- claiming the turn ---------------------------------------------------------


def _claim(turn: Turn, assistant: Assistant) -> AssistantRun | None:
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


def _limit_reason(assistant: Assistant, session: ChatSession, run: AssistantRun) -> str | None:
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


# --- the prompt ----------------------------------------------------------------


def message_content(message: Message) -> str:
    """A message as the model reads it: media as its transcription."""
    label = MEDIA_LABELS.get(message.kind)
    if label is None:
        return message.text or ""
    if message.kind == MessageKind.DOCUMENT and message.media_filename:
        label = f"{label}: {message.media_filename}"
    parts = [message.text.strip()] if message.text.strip() else []
    if message.transcription:
        parts.append(message.transcription.strip())
    return f"[{label}] " + (" — ".join(parts) if parts else "(conteúdo não transcrito)")


def history(session: ChatSession, turn: Turn, limit: int) -> list[Message]:
    """The session's last ``limit`` messages up to the end of the turn, oldest first."""
    messages = (
        Message.objects.filter(session=session)
        .exclude(author=Author.SYSTEM)
        .exclude(kind__in=HISTORY_SKIPPED_KINDS)
    )
    if turn.closed_at is not None:
        messages = messages.filter(created_at__lte=turn.closed_at)
    latest = list(messages.order_by("-created_at", "-id")[: max(limit, 1)])
    return latest[::-1]


def _system_prompt(assistant: Assistant, session: ChatSession, passages: list[Passage]) -> str:
    contact = session.contact
    tags = sorted(
        {t.name for t in contact.tabulations.all()} | {t.name for t in session.tabulations.all()}
    )
    parts = [
        (assistant.system_prompt or DEFAULT_SYSTEM_PROMPT).strip(),
        f"Empresa: {session.organization.name}.",
        "Cliente: "
        + "; ".join(
            [
                f"nome {contact.name or 'não informado'}",
                f"telefone {contact.phone}",
                f"etiquetas {', '.join(tags) if tags else 'nenhuma'}",
            ]
        )
        + ".",
        f"Responda com no máximo {assistant.max_reply_chars} caracteres.",
        "Mensagens marcadas como de um atendente humano foram escritas por uma pessoa da empresa.",
    ]
    if passages:
        knowledge = "\n\n".join(f"### {p.title}\n{p.text}" for p in passages)
        parts.append(
            "Base de conhecimento da empresa (use apenas o que for relevante à pergunta):\n\n"
            + knowledge
        )
    return "\n\n".join(parts)


def prompt_messages(
    assistant: Assistant, session: ChatSession, turn: Turn, passages: list[Passage]
) -> list[dict]:
    messages = [{"role": "system", "content": _system_prompt(assistant, session, passages)}]
    for message in history(session, turn, assistant.max_history_messages):
        content = message_content(message)
        if not content.strip():
            continue
        if message.author == Author.CUSTOMER:
            messages.append({"role": "user", "content": content})
        elif message.author in HUMAN_AUTHORS:
            messages.append({"role": "assistant", "content": HUMAN_NOTE + content})
        else:
            messages.append({"role": "assistant", "content": content})
    return messages


# --- outcomes ------------------------------------------------------------------


@dataclass
class Outcome:
    action: str  # "reply", TRANSFER_TO_HUMAN or CLOSE_SESSION
    text: str = ""
    reason: str = ""
    department: Department | None = None
    tool_calls: list[dict] = field(default_factory=list)


def _accountability(run: AssistantRun, usage: Usage) -> dict:
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


def _finish(run: AssistantRun, *, status: str, reason: str = "", usage: Usage | None = None):
    run.status, run.reason, run.finished_at = status, reason[:500], timezone.now()
    fields = ["status", "reason", "finished_at", "tool_calls", "chunk_ids", "reply_message"]
    if usage is not None:
        run.prompt_tokens, run.completion_tokens = usage.prompt_tokens, usage.completion_tokens
        run.latency_ms, run.model_calls = usage.latency_ms, usage.calls
        fields += ["prompt_tokens", "completion_tokens", "latency_ms", "model_calls"]
    run.save(update_fields=fields)


def _send(
    run: AssistantRun, session: ChatSession, assistant: Assistant, text: str, usage: Usage
) -> Message | None:
    """The AI reply, or None when the rules refuse it (recorded in the timeline)."""
    text = text.strip()[: assistant.max_reply_chars]
    if not text:
        return None
    try:
        # A refusal's message is translated when raised; the timeline stores
        # English (sessions_app.event_text), whoever runs this.
        with translation.override("en"), transaction.atomic():
            message, _ = message_create_outbound(
                session=session,
                author=Author.AI,
                actor=actor_for(assistant),
                text=text,
                idempotency_key=f"assistant:{run.turn_id}",
            )
            payload = {**message.payload, "assistant": _accountability(run, usage)}
            Message.objects.filter(pk=message.pk).update(payload=payload)
    except Conflict as exc:
        run.reason = exc.code  # ai_blocked, session_closed, whatsapp_window_closed…
        session_event_record(
            session=session,
            code="assistant_reply_refused",
            text=f"The assistant's reply was not sent: {exc.message}",
            actor=actor_for(assistant),
            data={"reason": exc.code, "text": text, "runId": str(run.id)},
        )
        return None
    run.reply_message = message
    return message


def handoff(
    *,
    run: AssistantRun,
    session: ChatSession,
    assistant: Assistant,
    reason: str,
    usage: Usage,
    text: str = "",
    department: Department | None = None,
) -> None:
    """Tell the customer, block the AI, assign the department, note it, publish it."""
    actor = actor_for(assistant)
    _send(
        run, session, assistant, text or assistant.handoff_message or DEFAULT_HANDOFF_MESSAGE, usage
    )
    department = department or assistant.handoff_department
    with transaction.atomic():
        session_takeover(
            session=session, actor=actor, reason=f"Handed off by the assistant: {reason}"
        )
        if department is not None:
            session_assign(session=session, actor=actor, department=department)
        session_event_record(
            session=session,
            code="assistant_handoff",
            text=f"The assistant handed the conversation to a person: {reason}",
            actor=actor,
            data={
                "reason": reason,
                "departmentId": str(department.pk) if department else None,
                "runId": str(run.id),
            },
        )
        event_publish(
            organization=session.organization_id,
            event=Event.SESSION_HANDOFF,
            payload={
                "session": session_payload(session, keys=SESSION_EVENT_KEYS),
                "reason": reason,
                "departmentId": str(department.pk) if department else None,
                "by": ANSWERED_BY,
                "assistantId": str(assistant.pk),
                "turnId": str(run.turn_id),
            },
            dedupe_key=f"handoff:{run.turn_id}",
        )
        _finish(run, status=RunStatus.HANDED_OFF, reason=reason, usage=usage)


def _converse(
    run: AssistantRun,
    session: ChatSession,
    assistant: Assistant,
    config: ModelConfig,
    messages: list[dict],
    usage: Usage,
) -> Outcome:
    """Ask the model, run its tool calls, until it answers or ends the turn.

    At most ASSISTANT_MAX_TOOL_ROUNDS rounds of tool calls; the last request
    offers no tools, so it has to answer in words.
    """
    rounds = settings.ASSISTANT_MAX_TOOL_ROUNDS
    for round_number in range(rounds + 1):
        tools = TOOLS if round_number < rounds else None
        reply = chat(config=config, messages=messages, tools=tools, usage=usage)
        if not reply.tool_calls or tools is None:
            return Outcome(action="reply", text=reply.content)
        messages.append(reply.message)
        terminal: Outcome | None = None
        for call in reply.tool_calls:
            name = call.function.name or ""
            result = tool_run(
                session=session,
                name=name,
                raw_arguments=call.function.arguments,
                actor=actor_for(assistant),
            )
            run.tool_calls.append(
                {"name": name[:100], "arguments": result.arguments, "ok": result.ok}
                | ({} if result.ok else {"error": result.content})
            )
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result.content})
            if result.terminal and terminal is None:
                terminal = Outcome(
                    action=result.terminal,
                    text=reply.content,
                    reason=result.arguments.get("reason", ""),
                    department=result.department,
                )
        if terminal is not None:
            return terminal
    return Outcome(action="reply")


def _model_config(assistant: Assistant) -> ModelConfig:
    return ModelConfig(
        model=assistant.model,
        base_url=assistant.base_url or settings.OPENAI_BASE_URL,
        api_key=assistant.api_key or settings.OPENAI_API_KEY,
        temperature=assistant.temperature,
    )


def _answer(run: AssistantRun, turn: Turn, session: ChatSession, assistant: Assistant) -> str:
    usage = Usage()
    refusal = session_ai_refusal_reason(session, now=timezone.now())
    if refusal is not None:
        # Taken over, paused or closed between the dispatch and now.
        _finish(run, status=RunStatus.SKIPPED, reason=refusal)
        return RunStatus.SKIPPED
    common = {"run": run, "session": session, "assistant": assistant}
    limit = _limit_reason(assistant, session, run)
    if limit is not None:
        handoff(**common, reason=limit, usage=usage)
        return RunStatus.HANDED_OFF
    config = _model_config(assistant)
    if not config.configured:
        handoff(**common, reason="no model server is configured (OPENAI_API_KEY)", usage=usage)
        return RunStatus.HANDED_OFF

    passages = knowledge_search(assistant_id=assistant.pk, question=turn.text)
    run.chunk_ids = [p.chunk_id for p in passages]
    messages = prompt_messages(assistant, session, turn, passages)
    try:
        outcome = _converse(run, session, assistant, config, messages, usage)
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
        _send(run, session, assistant, outcome.text, usage)
        session_close(
            session=session,
            end_reason=f"Encerrada pelo assistente: {outcome.reason}"[:500],
            actor=actor_for(assistant),
        )
        _finish(run, status=RunStatus.CLOSED_SESSION, reason=outcome.reason, usage=usage)
        return RunStatus.CLOSED_SESSION
    if not outcome.text.strip():
        handoff(**common, reason="the model gave an empty answer", usage=usage)
        return RunStatus.HANDED_OFF
    if _send(run, session, assistant, outcome.text, usage) is None:
        _finish(run, status=RunStatus.REFUSED, reason=run.reason, usage=usage)
        return RunStatus.REFUSED
    _finish(run, status=RunStatus.ANSWERED, usage=usage)
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
    run = _claim(turn, assistant)
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
