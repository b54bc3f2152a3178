"""A closed turn's text: the burst in order, media labelled and transcribed."""

from messaging.models import Message, MessageKind

LABELS = {
    MessageKind.AUDIO: "[áudio]",
    MessageKind.VOICE: "[áudio]",
    MessageKind.IMAGE: "[imagem]",
    MessageKind.STICKER: "[figurinha]",
    MessageKind.VIDEO: "[vídeo]",
    MessageKind.LOCATION: "[localização]",
    MessageKind.CONTACT: "[contato]",
    MessageKind.REACTION: "[reação]",
    MessageKind.INTERACTIVE: "[resposta]",
    MessageKind.UNSUPPORTED: "[mensagem não suportada]",
}


NO_TRANSCRIPTION = "(conteúdo não transcrito)"


def turn_text(messages: list[Message]) -> str:
    """The burst as one text, in order, media labelled and transcribed."""
    return "\n".join(line for line in (message_line(m) for m in messages) if line)


def message_line(message: Message) -> str:
    text = (message.text or "").strip()
    if message.kind == MessageKind.TEXT:
        return text
    if message.kind == MessageKind.DOCUMENT:
        label = (
            f"[documento: {message.media_filename}]" if message.media_filename else "[documento]"
        )
    else:
        label = LABELS.get(message.kind, f"[{message.kind}]")
    transcription = (message.transcription or "").strip()
    if message.kind in (MessageKind.LOCATION, MessageKind.CONTACT, MessageKind.REACTION):
        body = text or _payload_summary(message)
        return f"{label} {body}".strip()
    parts = [p for p in (text, transcription) if p]
    if not transcription and message.is_media:
        parts.append(NO_TRANSCRIPTION)
    return " ".join([label, " — ".join(parts)]).strip()


def _payload_summary(message: Message) -> str:
    payload = message.payload or {}
    if message.kind == MessageKind.LOCATION:
        bits = [payload.get("name"), payload.get("address")]
        if payload.get("latitude") is not None:
            bits.append(f"{payload.get('latitude')},{payload.get('longitude')}")
        return " ".join(str(b) for b in bits if b)
    if message.kind == MessageKind.CONTACT:
        return str(payload.get("name") or "")
    if message.kind == MessageKind.REACTION:
        return str(payload.get("emoji") or "")
    return ""
