"""Writes for this app (see docs/STYLE.md).

``message_create_outbound`` is the one way a reply enters a conversation
(API, admin, AI platform): every entry point obeys the same rules.
"""

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import metrics
from core.errors import Conflict, ValidationError
from messaging.inbound.replies import offered_options_remember
from messaging.models import MEDIA_KINDS, Author, DeliveryStatus, Direction, Message, MessageKind
from messaging.outbound.rich import RichContent
from messaging.outbound.sending import outbound_enqueue
from providers.models import Provider
from sessions_app.models import ChatSession, SessionStatus
from sessions_app.selectors import session_ai_refusal_reason
from sessions_app.services.ai_block import session_takeover
from sessions_app.services.lifecycle import session_activate, session_pause

OUTBOUND_AUTHORS = frozenset(
    {Author.AGENT, Author.AI, Author.BUSINESS, Author.SYSTEM, Author.AGENT_PLATFORM}
)
# Translated when raised: the API's message follows the request's
# Accept-Language (English by default); the code stays the contract.
AI_REFUSAL_MESSAGES = {
    "session_closed": gettext_noop("The session is closed; the AI may not reply."),
    "session_paused": gettext_noop("The session is paused; the AI may not reply."),
    "ai_blocked": gettext_noop("The AI is blocked for this session (a human has taken over)."),
    "bypass_bots": gettext_noop("This contact is set to bypass bots; the AI may not reply."),
}


# WhatsApp's own ceiling for documents: the API and the console refuse larger
# uploads before reading them.
MAX_MEDIA_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class OutgoingMedia:
    kind: str
    url: str | None = None
    data: bytes | None = None
    mimetype: str = ""
    filename: str = ""


def _check_media(media: OutgoingMedia | None) -> None:
    if media is None:
        return
    if media.kind not in MEDIA_KINDS:
        raise ValidationError(
            _("Unsupported media kind %(kind)r.") % {"kind": media.kind},
            details={"media": [f"Kind must be one of: {', '.join(sorted(MEDIA_KINDS))}."]},
        )
    if not media.url and not media.data:
        raise ValidationError(
            _("Media needs a URL or its bytes."), details={"media": ["Give url or data."]}
        )
    # The columns' limits (media_mimetype, media_filename): a clear 400, not a
    # database error, whatever a client's upload claims to be.
    if len(media.mimetype or "") > 120:
        raise ValidationError(
            _("The media type is too long."), details={"mimeType": ["At most 120 characters."]}
        )
    if len(media.filename or "") > 255:
        raise ValidationError(
            _("The file name is too long."), details={"fileName": ["At most 255 characters."]}
        )


def _existing_by_key(session: ChatSession, idempotency_key: str) -> Message | None:
    return Message.objects.filter(
        organization_id=session.organization_id, idempotency_key=idempotency_key
    ).first()


def message_create_outbound(
    *,
    session: ChatSession,
    author: str,
    actor: str,
    text: str = "",
    media: OutgoingMedia | None = None,
    send_external: bool = True,
    pause_session: bool = False,
    external_id: str = "",
    idempotency_key: str | None = None,
    user=None,
    rich: RichContent | None = None,
) -> tuple[Message, bool]:
    """Store an outgoing message and queue its sending. Returns (message, created).

    - AI replies are refused (Conflict, nothing stored) when the session is
      CLOSED or PAUSED, its AI is blocked, or the contact bypasses bots; the
      first AI reply moves a QUEUED session to ACTIVE.
    - An AGENT message is a human takeover: a QUEUED session becomes ACTIVE
      and the AI is blocked for the instance's takeover minutes.
    - Cloud API: a free-form send outside the 24-hour window is refused
      (a template, ``rich`` from ``messaging.outbound.rich``, is not).
    - ``idempotency_key``: the same key again returns the first message.
    - ``send_external=False`` records the message without sending it.
    """
    if author not in OUTBOUND_AUTHORS:
        raise ValidationError(
            _("Author %(author)r cannot send.") % {"author": author},
            details={"author": [f"One of: {', '.join(sorted(OUTBOUND_AUTHORS))}."]},
        )
    text = rich.text if rich is not None else text or ""
    if not text.strip() and media is None:
        raise ValidationError(_("A message needs text or media."), details={"content": ["Empty."]})
    _check_media(media)
    if idempotency_key:
        existing = _existing_by_key(session, idempotency_key)
        if existing is not None:
            return existing, False

    now = timezone.now()
    try:
        with transaction.atomic():
            locked = (
                ChatSession.objects.select_for_update(of=("self",))
                .select_related("contact", "instance", "instance__organization")
                .get(pk=session.pk)
            )
            _check_rules(
                locked,
                author=author,
                window_applies=send_external and not (rich and rich.allowed_outside_window),
                now=now,
            )
            message = _build_message(
                locked,
                author=author,
                text=text,
                media=media,
                send_external=send_external,
                external_id=external_id,
                idempotency_key=idempotency_key or None,
                user=user,
            )
            if rich is not None:
                message.kind = rich.kind
                message.payload = rich.payload
            with transaction.atomic():
                message.save(force_insert=True)
            offered_options_remember(message)
            ChatSession.objects.filter(pk=locked.pk).update(last_message_at=now)
            locked.last_message_at = now

            if author == Author.AI:
                session_activate(session=locked, actor=actor, reason="First AI reply.")
            if author == Author.AGENT:
                # An agent answering a queued customer has picked the
                # conversation up: it leaves the queue, like Chatwoot's
                # "open on first reply".
                session_activate(session=locked, actor=actor, reason="An agent replied.")
                session_takeover(session=locked, actor=actor, reason="An agent replied.")
            if pause_session and locked.status != SessionStatus.PAUSED:
                session_pause(session=locked, actor=actor, reason="Paused with a message.")
            if send_external:
                outbound_enqueue(message)
    except IntegrityError:
        # Two requests with the same key raced: the loser returns the winner.
        if idempotency_key:
            existing = _existing_by_key(session, idempotency_key)
            if existing is not None:
                return existing, False
        raise
    session.refresh_from_db()
    return message, True


def _check_rules(session: ChatSession, *, author: str, window_applies: bool, now) -> None:
    if author == Author.AI:
        reason = session_ai_refusal_reason(session, now=now)
        if reason is not None:
            metrics.AI_REPLIES_REFUSED.labels(reason).inc()
            raise Conflict(
                _(AI_REFUSAL_MESSAGES[reason]),
                code=reason,
                details={"sessionId": str(session.id), "status": session.status},
            )
    elif session.status == SessionStatus.CLOSED:
        raise Conflict(
            _("The session is closed; reopen it before sending."),
            code="session_closed",
            details={"sessionId": str(session.id)},
        )
    if window_applies and session.instance.provider == Provider.CLOUDAPI:
        expires = session.whatsapp_window_expires_at
        if expires is None or expires <= now:
            # Meta rejects free-form messages outside the customer-service
            # window (error 131047); only approved templates may be sent.
            raise Conflict(
                _(
                    "The WhatsApp 24-hour window is closed: the customer has not written in "
                    "the last 24 hours, so only template messages can be sent."
                ),
                code="whatsapp_window_closed",
                details={
                    "sessionId": str(session.id),
                    "windowExpiresAt": expires.isoformat() if expires else None,
                },
            )


def _build_message(
    session: ChatSession,
    *,
    author: str,
    text: str,
    media: OutgoingMedia | None,
    send_external: bool,
    external_id: str,
    idempotency_key: str | None,
    user,
) -> Message:
    message = Message(
        organization_id=session.organization_id,
        session=session,
        contact_id=session.contact_id,
        instance_id=session.instance_id,
        direction=Direction.OUTBOUND,
        author=author,
        kind=MessageKind.TEXT if media is None else media.kind,
        text=text,
        delivery_status=DeliveryStatus.PENDING,
        send_external=send_external,
        external_id=external_id or "",
        idempotency_key=idempotency_key,
        sent_by_user=user,
    )
    if media is not None:
        message.media_mimetype = media.mimetype
        message.media_filename = media.filename
        if media.url:
            message.media_ref = {"url": media.url}
        if media.data:
            message.media_size = len(media.data)
            message.media_sha256 = hashlib.sha256(media.data).hexdigest()
            message.media_file.save(
                media.filename or f"{media.kind}.bin", ContentFile(media.data), save=False
            )
    return message
