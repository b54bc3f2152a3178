"""Agents' commands typed on the business phone: ``@fechar``, ``@pausar``, ...

WhatsApp delivers what an agent types on the business phone to us as a
``fromMe`` message. A message starting with a known command acts on the
session, is stored as kind COMMAND (CHAT_COMMAND in the API) and never
reaches the AI. Anything else typed on the phone is a human takeover.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone, translation

from contacts.services import contact_update
from core.errors import DomainError
from messaging.models import Message, MessageKind
from sessions_app.models import ChatSession, SessionStatus
from sessions_app.services.ai_block import session_unblock_ai
from sessions_app.services.events import session_event_record
from sessions_app.services.lifecycle import session_close, session_pause, session_resume

PHONE_ACTOR = "phone"
PAUSE_DEFAULT_HOURS = 24
PAUSE_MAX_HOURS = 168
DEFAULT_CLOSE_REASON = "Encerrada pelo atendente (telefone)"
_COMMAND = re.compile(r"^\s*@(?P<name>[a-zA-Zçã]+)\b\s*(?P<args>.*)$", re.DOTALL)
COMMAND_NAMES = frozenset({"fechar", "pausar", "reabrir", "bot"})


@dataclass(frozen=True)
class Command:
    name: str
    args: str


def command_parse(text: str) -> Command | None:
    """The command in a phone message, or None when it is ordinary text."""
    match = _COMMAND.match(text or "")
    if match is None:
        return None
    name = match["name"].lower()
    if name not in COMMAND_NAMES:
        return None
    args = match["args"].strip()
    if name == "bot" and args.lower() not in ("on", "off"):
        return None
    return Command(name=name, args=args)


def _pause_hours(args: str) -> int:
    try:
        hours = int(float(args.replace(",", ".").split()[0])) if args else PAUSE_DEFAULT_HOURS
    except (ValueError, OverflowError):  # "@pausar abc", "@pausar inf"
        hours = PAUSE_DEFAULT_HOURS
    return max(1, min(PAUSE_MAX_HOURS, hours))


def command_apply(*, message: Message, command: Command) -> str:
    """Mark ``message`` as a command and act on its session. Returns the outcome."""
    with transaction.atomic():
        message.kind = MessageKind.COMMAND
        message.payload = {
            **message.payload,
            "command": {"name": command.name, "args": command.args},
        }
        message.save(update_fields=["kind", "payload", "updated_at"])
        session = ChatSession.objects.select_related("contact", "instance").get(
            pk=message.session_id
        )
        try:
            # A refusal's message is translated when raised; the timeline
            # stores English (sessions_app.event_text), whoever runs this.
            with translation.override("en"):
                outcome = _act(session, command)
        except DomainError as exc:
            # e.g. @pausar on a PAUSED session: recorded, not raised; the
            # agent sees it in the timeline.
            outcome = f"refused: {exc.message}"
        session_event_record(
            session=session,
            code="command",
            actor=PHONE_ACTOR,
            data={
                "command": command.name,
                "args": command.args,
                "outcome": outcome,
                "messageId": str(message.pk),
            },
        )
    return outcome


def _act(session: ChatSession, command: Command) -> str:
    if command.name == "fechar":
        session_close(
            session=session, end_reason=command.args or DEFAULT_CLOSE_REASON, actor=PHONE_ACTOR
        )
        return "closed"
    if command.name == "pausar":
        hours = _pause_hours(command.args)
        session_pause(
            session=session,
            actor=PHONE_ACTOR,
            paused_until=timezone.now() + timedelta(hours=hours),
            reason=f"@pausar {hours}h",
        )
        return f"paused for {hours}h"
    if command.name == "reabrir":
        # Hand the conversation back: resume, and lift the block. A closed
        # conversation is reopened by ingest before the command is stored in
        # it (messaging.inbound.echoes._session_to_reopen), so it is open here.
        if session.status == SessionStatus.PAUSED:
            session_resume(session=session, actor=PHONE_ACTOR)
        session_unblock_ai(session=session, actor=PHONE_ACTOR)
        return "reopened"
    if command.name == "bot":
        bypass = command.args.lower() == "off"
        contact_update(contact=session.contact, bypass_bots=bypass)
        return "bot off for this contact" if bypass else "bot on for this contact"
    raise AssertionError(command.name)  # pragma: no cover - parse filters names
