"""The export's ZIP, written entry by entry so memory stays flat.

``contact.json`` and ``README.txt`` are small; ``sessions.json`` and
``messages.json`` are JSON arrays streamed one element at a time from
database cursors; each media file is copied in chunks from storage into
``media/<message id>.<ext>``. Nothing holds more than one row's document or
one chunk of a file at a time, whatever the contact's history.
"""

import json
import mimetypes
import shutil
import zipfile
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

from contacts.models import Contact
from messaging.models import Message
from sessions_app.models import ChatSession

PROGRESS_EVERY = 200
COPY_CHUNK = 1024 * 1024

README = """\
Cópia dos dados pessoais (LGPD, Lei 13.709/2018, arts. 18 e 19)
================================================================

Este arquivo reúne tudo o que o Atende guarda sobre um contato desta
empresa, na data em que foi gerado. Os arquivos são JSON (UTF-8), legíveis
por qualquer programa.

contact.json
    O contato: nome, telefone, e-mail, identificadores do WhatsApp,
    identificador externo (de um CRM), foto de perfil, etiquetas e datas.

sessions.json
    Cada atendimento, do mais antigo ao mais recente: estado, início e fim,
    departamento e atendente responsáveis, desde quando esperava por um
    atendente (waitingSince), etiquetas, a pesquisa de satisfação (csat:
    nota de 1 a 5, comentário, quando foi perguntada e respondida) e a
    linha do tempo (mudanças de estado, atribuições, bloqueios da IA), com
    data e autor.

messages.json
    Cada mensagem, em ordem: data, direção (INBOUND = enviada pelo
    cliente, OUTBOUND = enviada pela empresa), autor (CUSTOMER, AGENT, AI,
    BUSINESS, SYSTEM), tipo, texto ou legenda, transcrição de áudio ou
    vídeo, mídia (nome do arquivo em media/), edições (editHistory, as
    versões anteriores), apagamento (deletedAt, deletedBy), estados de
    entrega (enviada, entregue, lida) e, se a entrega falhou, o código e o
    motivo dados pelo WhatsApp (failure). Mensagens de modelo (template)
    trazem o texto como foi lido: cabeçalho, corpo, rodapé e botões. Menus
    de opções (interactive) trazem as opções oferecidas; numberedText diz
    que chegaram como texto numerado ("1 - ..."). Uma resposta a um menu
    traz a opção escolhida (reply: optionId, title, a mensagem do menu em
    toMessageId e o que foi digitado em typed, como "2" ou "dois").

media/
    Os arquivos recebidos e enviados (áudios, imagens, vídeos,
    documentos), cada um com o id da mensagem a que pertence.

Mensagens apagadas há mais tempo do que o prazo de retenção aparecem sem
conteúdo (contentErasedAt): o conteúdo já não existe.
"""


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def contact_document(contact: Contact) -> dict:
    return {
        "id": str(contact.pk),
        "name": contact.name,
        "phone": contact.phone,
        "email": contact.email,
        "externalId": contact.external_id,
        "profilePictureUrl": contact.profile_picture_url,
        "whatsappIds": sorted(contact.whatsapp_ids.values_list("wa_id", flat=True)),
        "tags": sorted(contact.tabulations.values_list("name", flat=True)),
        "aiOff": contact.bypass_bots,
        "sourceInstance": contact.source_instance.name if contact.source_instance else None,
        "createdAt": _iso(contact.created_at),
        "updatedAt": _iso(contact.updated_at),
    }


def session_document(session: ChatSession) -> dict:
    agent = session.assigned_agent
    return {
        "id": str(session.pk),
        "instance": session.instance.name,
        "status": session.status,
        "startedBy": session.started_by,
        "startedAt": _iso(session.started_at),
        "closedAt": _iso(session.closed_at),
        "statusReason": session.status_reason,
        "closeReason": session.end_reason,
        "externalId": session.external_id,
        "department": session.assigned_department.name if session.assigned_department else None,
        "agent": (agent.display_name or agent.user.get_username()) if agent else None,
        # Waiting in the department's queue for a person (automatic assignment).
        "waitingSince": _iso(session.waiting_since),
        "tags": sorted(t.tabulation.name for t in session.session_tabulations.all()),
        "csat": _csat(session),
        "events": [
            {
                "at": _iso(event.created_at),
                "code": event.code,
                "text": event.text,
                "actor": event.actor,
            }
            for event in session.events.order_by("created_at", "id")
        ],
    }


def _csat(session: ChatSession) -> dict | None:
    """The satisfaction survey: asked, and what the customer answered."""
    if session.csat_asked_at is None and session.csat_answered_at is None:
        return None
    return {
        "rating": session.csat_rating,
        "comment": session.csat_comment,
        "askedAt": _iso(session.csat_asked_at),
        "answeredAt": _iso(session.csat_answered_at),
    }


def _reply(payload: dict) -> dict | None:
    """The option a customer chose (a button, a list row or a number typed)."""
    reply = payload.get("reply")
    if not isinstance(reply, dict):
        return None
    return {
        "optionId": reply.get("id") or "",
        "title": reply.get("title") or "",
        "toMessageId": reply.get("toMessageId"),
        "typed": payload.get("typedAnswer"),
    }


def _template(payload: dict) -> dict | None:
    """A template as the customer read it: its rendered texts and buttons."""
    template = payload.get("template")
    if not isinstance(template, dict):
        return None
    rendered = template.get("rendered") or {}
    return {
        "name": template.get("name"),
        "language": template.get("language"),
        "header": rendered.get("header") or "",
        "headerMedia": rendered.get("headerMedia"),
        "body": rendered.get("body") or "",
        "footer": rendered.get("footer") or "",
        "buttons": rendered.get("buttons") or [],
    }


def _interactive(payload: dict) -> dict | None:
    """Buttons or a list as offered; ``numberedText`` when the gateway had no
    buttons and the customer got the options as a numbered text (``text``)."""
    interactive = payload.get("interactive")
    if not isinstance(interactive, dict):
        return None
    return {
        "kind": interactive.get("kind"),
        "header": interactive.get("header") or "",
        "body": interactive.get("body") or "",
        "footer": interactive.get("footer") or "",
        "listButton": interactive.get("button") or "",
        "options": [
            {
                "id": option.get("id"),
                "title": option.get("title"),
                "description": option.get("description") or "",
                "section": option.get("section") or "",
            }
            for option in interactive.get("options") or []
            if isinstance(option, dict)
        ],
        "numberedText": bool(payload.get("fallback")),
    }


def media_name(message: Message) -> str:
    """``media/<message id><extension>``: the extension of the file as stored or sent."""
    suffix = PurePosixPath(message.media_filename or message.media_file.name or "").suffix
    if not suffix:
        suffix = mimetypes.guess_extension((message.media_mimetype or "").split(";")[0]) or ""
    return f"media/{message.pk}{suffix.lower()[:10]}"


def message_document(message: Message) -> dict:
    payload = message.payload if isinstance(message.payload, dict) else {}
    return {
        "id": str(message.pk),
        "sessionId": str(message.session_id),
        "createdAt": _iso(message.created_at),
        "direction": message.direction,
        "author": message.author,
        "kind": message.kind,
        "text": message.text,
        "details": message.payload,
        "reply": _reply(payload),
        "template": _template(payload),
        "interactive": _interactive(payload),
        "transcription": message.transcription,
        "media": (
            {
                "file": media_name(message),
                "mimetype": message.media_mimetype,
                "fileName": message.media_filename,
                "size": message.media_size,
                "durationSeconds": message.media_duration,
            }
            if message.media_file
            else None
        ),
        "editedAt": _iso(message.edited_at),
        "editHistory": message.edit_history,
        "deletedAt": _iso(message.deleted_at),
        "deletedBy": message.deleted_by or None,
        "contentErasedAt": _iso(message.content_erased_at),
        "deliveryStatus": message.delivery_status,
        "sentAt": _iso(message.sent_at),
        "deliveredAt": _iso(message.delivered_at),
        "readAt": _iso(message.read_at),
        "failedAt": _iso(message.failed_at),
        "failure": (
            {"code": message.delivery_error_code, "title": message.delivery_error_title}
            if message.delivery_error_code or message.delivery_error_title
            else None
        ),
    }


def _write_array(zf: zipfile.ZipFile, name: str, documents: Iterable[dict]) -> None:
    with zf.open(name, "w", force_zip64=True) as out:
        out.write(b"[")
        for position, document in enumerate(documents):
            out.write(b",\n" if position else b"\n")
            out.write(json.dumps(document, ensure_ascii=False).encode())
        out.write(b"\n]\n")


class _Progress:
    """Counts rows and files written; reports every ``PROGRESS_EVERY``."""

    def __init__(self, total: int, report: Callable[[int], None]) -> None:
        self.total, self.done, self.report = max(total, 1), 0, report

    def step(self) -> None:
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            self.report(min(99, self.done * 100 // self.total))


def write_archive(fp, contact: Contact, report: Callable[[int], None]) -> dict:
    """Write the contact's ZIP into the binary file ``fp``; return what went in."""
    messages = Message.objects.filter(contact=contact).order_by("created_at", "id")
    with_media = messages.exclude(media_file="")
    progress = _Progress(messages.count() + with_media.count(), report)
    sessions = (
        ChatSession.objects.filter(contact=contact)
        .select_related("instance", "assigned_department", "assigned_agent__user")
        .prefetch_related("session_tabulations__tabulation")
        .order_by("started_at", "id")
    )
    counts = {"messages": 0, "mediaFiles": 0, "mediaMissing": 0}

    def message_documents():
        for message in messages.iterator(chunk_size=500):
            counts["messages"] += 1
            progress.step()
            yield message_document(message)

    with zipfile.ZipFile(fp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        zf.writestr("README.txt", README)
        zf.writestr(
            "contact.json", json.dumps(contact_document(contact), ensure_ascii=False, indent=2)
        )
        _write_array(zf, "sessions.json", (session_document(s) for s in sessions))
        _write_array(zf, "messages.json", message_documents())
        media_rows = with_media.only("pk", "media_file", "media_filename", "media_mimetype")
        for message in media_rows.iterator(chunk_size=500):
            progress.step()
            try:
                source = message.media_file.open("rb")
            except FileNotFoundError:
                counts["mediaMissing"] += 1
                continue
            # Media are compressed formats already: stored as they are.
            info = zipfile.ZipInfo(media_name(message), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            with source, zf.open(info, "w", force_zip64=True) as out:
                shutil.copyfileobj(source, out, COPY_CHUNK)
            counts["mediaFiles"] += 1
    return counts
