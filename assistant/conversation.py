"""The model call loop: ask the model, run the tools it calls, until it answers.

Its ``Outcome`` is a reply, or a tool that ends the turn (a hand-off to a
person, closing the session); carrying it out is ``assistant.answer``'s.
"""

from dataclasses import dataclass, field

from django.conf import settings

from accounts.models import Department
from assistant.llm import ModelConfig, Usage, chat
from assistant.models import Assistant, AssistantRun
from assistant.tools import TOOLS, tool_run
from providers.rich import OutboundInteractive
from sessions_app.models import ChatSession


@dataclass
class Outcome:
    action: str  # "reply", TRANSFER_TO_HUMAN, CLOSE_SESSION or OFFER_OPTIONS
    text: str = ""
    reason: str = ""
    department: Department | None = None
    tool_calls: list[dict] = field(default_factory=list)
    interactive: OutboundInteractive | None = None  # OFFER_OPTIONS


def converse(
    run: AssistantRun,
    session: ChatSession,
    actor: str,
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
                actor=actor,
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
                    interactive=result.interactive,
                )
        if terminal is not None:
            return terminal
    return Outcome(action="reply")


def model_config(assistant: Assistant) -> ModelConfig:
    return ModelConfig(
        model=assistant.model,
        base_url=assistant.base_url or settings.OPENAI_BASE_URL,
        api_key=assistant.api_key or settings.OPENAI_API_KEY,
        temperature=assistant.temperature,
    )
