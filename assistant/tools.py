"""The functions the model may call (OpenAI function calling).

``transfer_to_human`` and ``close_session`` end the turn: they are carried
out after the model's last words are sent; ``offer_options`` ends it too,
its buttons or list being the reply (an AI message is refused once
the AI is blocked or the session closed). ``add_tag`` acts at once and the
conversation with the model goes on. A call to an unknown function, or with
arguments that do not parse, is answered with an error the model can read,
noted on the run and in the timeline, and otherwise ignored.
"""

import json
from dataclasses import dataclass, field

from accounts.models import Department
from contacts.models import Tabulation
from core.errors import ValidationError
from messaging.outbound.rich import MAX_BUTTON_TITLE, MAX_BUTTONS, MAX_ROWS, interactive_check
from providers.rich import OutboundInteractive
from sessions_app.models import ChatSession
from sessions_app.services.assignment import session_tabulations_add
from sessions_app.services.events import session_event_record

TRANSFER_TO_HUMAN = "transfer_to_human"
CLOSE_SESSION = "close_session"
ADD_TAG = "add_tag"
OFFER_OPTIONS = "offer_options"

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": TRANSFER_TO_HUMAN,
            "description": (
                "Hand the conversation to a human agent: when the customer asks for a person, "
                "is upset, or you cannot help. Write a short message telling the customer."
            ),
            "parameters": {
                "type": "object",
                "properties": {
                    "reason": {"type": "string", "description": "Why, in a few words."},
                    "department": {
                        "type": "string",
                        "description": "The department's name, when one fits.",
                    },
                },
                "required": ["reason"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": CLOSE_SESSION,
            "description": "End the conversation when the customer's request is fully settled.",
            "parameters": {
                "type": "object",
                "properties": {"reason": {"type": "string"}},
                "required": ["reason"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": ADD_TAG,
            "description": "Tag the conversation with one of the company's existing tags.",
            "parameters": {
                "type": "object",
                "properties": {"name": {"type": "string", "description": "The tag's name."}},
                "required": ["name"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": OFFER_OPTIONS,
            "description": (
                "Answer with options the customer taps (buttons, or a list when there are more "
                "than 3 or they are long): the body is your message, the options at most 10 "
                "short titles (24 characters). Their choice comes back as their next message."
            ),
            "parameters": {
                "type": "object",
                "properties": {
                    "body": {"type": "string", "description": "The message above the options."},
                    "options": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": 1,
                        "maxItems": MAX_ROWS,
                    },
                },
                "required": ["body", "options"],
            },
        },
    },
]
TERMINAL = frozenset({TRANSFER_TO_HUMAN, CLOSE_SESSION, OFFER_OPTIONS})


@dataclass
class ToolResult:
    content: str  # what the model reads back
    ok: bool
    terminal: str | None = None  # TRANSFER_TO_HUMAN / CLOSE_SESSION, carried out later
    arguments: dict = field(default_factory=dict)
    department: Department | None = None
    interactive: OutboundInteractive | None = None  # OFFER_OPTIONS: the reply to send


def _string_args(raw: str, required: list[str], optional: list[str] = ()) -> dict:
    try:
        arguments = json.loads(raw or "{}")
    except ValueError:
        raise ValueError("the arguments are not valid JSON") from None
    if not isinstance(arguments, dict):
        raise ValueError("the arguments must be a JSON object")
    clean = {}
    for name in [*required, *optional]:
        value = arguments.get(name)
        if value is None and name in optional:
            continue
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"'{name}' must be a non-empty string")
        clean[name] = value.strip()[:300]
    return clean


def tool_run(*, session: ChatSession, name: str, raw_arguments: str, actor: str) -> ToolResult:
    try:
        if name == TRANSFER_TO_HUMAN:
            arguments = _string_args(raw_arguments, ["reason"], ["department"])
            department = None
            if arguments.get("department"):
                department = Department.objects.filter(
                    organization_id=session.organization_id,
                    name__iexact=arguments["department"],
                    is_active=True,
                ).first()
            note = "" if department or not arguments.get("department") else " (unknown department)"
            return ToolResult(
                content=f"ok: transferring to a human{note}",
                ok=True,
                terminal=TRANSFER_TO_HUMAN,
                arguments=arguments,
                department=department,
            )
        if name == CLOSE_SESSION:
            arguments = _string_args(raw_arguments, ["reason"])
            return ToolResult(
                content="ok: closing", ok=True, terminal=CLOSE_SESSION, arguments=arguments
            )
        if name == ADD_TAG:
            arguments = _string_args(raw_arguments, ["name"])
            tag = Tabulation.objects.filter(
                organization_id=session.organization_id,
                name__iexact=arguments["name"],
                is_active=True,
            ).first()
            if tag is None:
                raise ValueError(f"there is no tag named {arguments['name']!r}")
            session_tabulations_add(session=session, tabulations=[tag], actor=actor)
            return ToolResult(content=f"ok: tagged {tag.name}", ok=True, arguments=arguments)
        if name == OFFER_OPTIONS:
            return _offer_options(raw_arguments)
        raise ValueError(f"unknown function {name!r}")
    except ValueError as exc:
        session_event_record(
            session=session,
            code="assistant_tool_ignored",
            actor=actor,
            data={
                "tool": name[:100],
                "arguments": (raw_arguments or "")[:500],
                "error": str(exc)[:300],
            },
        )
        return ToolResult(content=f"error: {exc}", ok=False)


def _offer_options(raw_arguments: str) -> ToolResult:
    """Up to 3 short options are buttons, more (or longer) a list; WhatsApp's
    limits are checked here so the model reads what was wrong."""
    try:
        arguments = json.loads(raw_arguments or "{}")
    except ValueError:
        raise ValueError("the arguments are not valid JSON") from None
    body = arguments.get("body") if isinstance(arguments, dict) else None
    options = arguments.get("options") if isinstance(arguments, dict) else None
    if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
        raise ValueError("'options' must be a list of non-empty strings")
    titles = [o.strip() for o in options]
    as_buttons = len(titles) <= MAX_BUTTONS and all(len(t) <= MAX_BUTTON_TITLE for t in titles)
    rows = [{"id": f"option-{n}", "title": t} for n, t in enumerate(titles, start=1)]
    data = (
        {"kind": "buttons", "body": body, "buttons": rows}
        if as_buttons
        else {
            "kind": "list",
            "body": body,
            "list": {"button": "Ver opções", "sections": [{"rows": rows}]},
        }
    )
    try:
        interactive = interactive_check(data)
    except ValidationError as exc:
        raise ValueError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.details.items())) from None
    return ToolResult(
        content=f"ok: offering {len(titles)} option(s)",
        ok=True,
        terminal=OFFER_OPTIONS,
        arguments={"body": interactive.body, "options": titles},
        interactive=interactive,
    )
