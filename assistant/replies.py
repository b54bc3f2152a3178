"""What the assistant does to the conversation: its reply, sent through the
outbound rules (refused, and noted, when a human took over meanwhile), and
the hand-off to a person (the customer told, the AI blocked, the department
assigned, ``session.handoff`` published).
"""

from django.db import transaction
from django.utils import translation

from accounts.models import Department
from assistant.llm import Usage
from assistant.models import Assistant, AssistantRun, RunStatus
from assistant.runs import run_accountability, run_finish
from core.errors import Conflict
from integrations.deliveries import event_publish
from integrations.models import Event
from messaging.models import Author, Message
from messaging.outbound.rich import interactive_prepare
from messaging.outbound.services import message_create_outbound
from providers.rich import OutboundInteractive
from sessions_app.event_text import HANDED_OFF_PREFIX
from sessions_app.models import ChatSession
from sessions_app.payloads import SESSION_EVENT_KEYS, session_payload
from sessions_app.services.ai_block import session_takeover
from sessions_app.services.assignment import session_assign
from sessions_app.services.autoassign import session_wait_for_person
from sessions_app.services.events import session_event_record

ANSWERED_BY = "assistant"
DEFAULT_HANDOFF_MESSAGE = (
    "Vou transferir você para um de nossos atendentes. Aguarde um momento, por favor."
)


def actor_for(assistant: Assistant) -> str:
    return f"assistant:{assistant.name}"[:200]


def reply_send(
    run: AssistantRun,
    session: ChatSession,
    assistant: Assistant,
    text: str,
    usage: Usage,
    *,
    interactive: OutboundInteractive | None = None,
) -> Message | None:
    """The AI reply, or None when the rules refuse it (recorded in the timeline).

    ``interactive``: options to tap (``offer_options``), sent the way any
    INTERACTIVE message is: natively, or as a numbered text whose answer
    comes back as a reply."""
    rich = None
    if interactive is not None:
        rich = interactive_prepare(instance=session.instance, interactive=interactive)
        text = rich.text
    text = text.strip()[: assistant.max_reply_chars] if rich is None else text
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
                rich=rich,
            )
            payload = {**message.payload, "assistant": run_accountability(run, usage)}
            Message.objects.filter(pk=message.pk).update(payload=payload)
    except Conflict as exc:
        run.reason = exc.code  # ai_blocked, session_closed, whatsapp_window_closed…
        session_event_record(
            session=session,
            code="assistant_reply_refused",
            actor=actor_for(assistant),
            data={
                "reason": exc.code,
                "message": str(exc.message),
                "text": text,
                "runId": str(run.id),
            },
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
    reply_send(
        run, session, assistant, text or assistant.handoff_message or DEFAULT_HANDOFF_MESSAGE, usage
    )
    department = department or assistant.handoff_department
    with transaction.atomic():
        session_takeover(session=session, actor=actor, reason=f"{HANDED_OFF_PREFIX}{reason}")
        if department is not None:
            session_assign(session=session, actor=actor, department=department)
        else:
            session_wait_for_person(session)
        session_event_record(
            session=session,
            code="assistant_handoff",
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
        run_finish(run, status=RunStatus.HANDED_OFF, reason=reason, usage=usage)
