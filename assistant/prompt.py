"""What the model reads: the system prompt and the conversation so far.

The system prompt is the assistant's own (or a Portuguese default), the
company, the customer (name, phone, tags), the reply length and the
knowledge passages found for the turn; then the session's last messages,
media as their transcription and human agents' words marked as such.
"""

from assistant.knowledge import Passage
from assistant.models import Assistant
from messaging.models import Author, Message, MessageKind, Turn
from sessions_app.models import ChatSession

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


def system_prompt(assistant: Assistant, session: ChatSession, passages: list[Passage]) -> str:
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
    messages = [{"role": "system", "content": system_prompt(assistant, session, passages)}]
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
