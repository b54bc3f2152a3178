"""Closed turns → the AI platform (and other integrations), through the outbox.

A turn goes to the organization's active integrations subscribed to
``turn.ready`` unless a rule says the AI must stay out; then it is recorded
as SKIPPED with the reason (the same codes an AI reply is refused with).

Answerers (the built-in assistant) sit above messaging and register here
from their ``AppConfig.ready``: messaging never imports them. When one takes
a turn, ``turn.ready`` still goes out, with ``answeredBy`` naming it.
"""

from collections.abc import Callable

from django.utils import timezone

from core import metrics
from core.logging import bind_log_context
from core.timefmt import iso_utc
from integrations.deliveries import Publication, event_publish, events_publish
from integrations.models import Event
from integrations.selectors import integrations_subscribed
from messaging.media.urls import absolute_url, media_api_path
from messaging.models import DeliveryStatus, DispatchStatus, Message, Turn
from sessions_app.models import ChatSession
from sessions_app.payloads import TURN_READY_SESSION_KEYS, session_payload
from sessions_app.selectors import session_ai_refusal_reason

# (turn=, session=) -> the answerer's name when it takes the turn (it queues
# its own work after commit), else None. Called inside the closing transaction.
TurnAnswerer = Callable[..., str | None]
_turn_answerers: list[TurnAnswerer] = []


# (session, reason) -> None: told when a turn is skipped (the AI stays out),
# inside the closing transaction. messaging.customer_waiting registers from
# the app's ready(): it sends through outbound, which sits above this module.
SkippedTurnListener = Callable[[ChatSession, str], None]
_skipped_turn_listeners: list[SkippedTurnListener] = []


def register_skipped_turn_listener(listener: SkippedTurnListener) -> None:
    if listener not in _skipped_turn_listeners:
        _skipped_turn_listeners.append(listener)


def register_turn_answerer(answerer: TurnAnswerer) -> None:
    if answerer not in _turn_answerers:
        _turn_answerers.append(answerer)


def _answered_by(turn: Turn, session: ChatSession) -> str | None:
    for answerer in _turn_answerers:
        name = answerer(turn=turn, session=session)
        if name:
            return name
    return None


def turn_dispatch(
    *,
    turn: Turn,
    messages: list[Message],
    send_inline: bool = False,
    session: ChatSession | None = None,
) -> str:
    """Decide where a just-closing turn goes; sets turn.dispatch_status/reason.

    Runs in the closing transaction (the caller saves the turn). With
    ``send_inline`` the first attempt is made right after commit by this
    process (a worker), saving a broker round trip; otherwise a task sends it.
    """
    turns_dispatch([(turn, messages, session)], send_inline=send_inline)
    return turn.dispatch_status


def turns_dispatch(
    closing: list[tuple[Turn, list[Message], ChatSession | None]], *, send_inline: bool = False
) -> None:
    """``turn_dispatch`` for turns closing together (turn, its messages, its
    session or None to read it): their deliveries are written with one
    INSERT and, with ``send_inline``, attempted together after commit."""
    missing = [turn.session_id for turn, _, session in closing if session is None]
    sessions = ChatSession.objects.select_related("contact", "instance").in_bulk(missing)
    subscribed: dict = {}  # per organization, read once for the batch
    publications = []
    now = timezone.now()
    for turn, messages, session in closing:
        session = session or sessions[turn.session_id]
        publication = _dispatch_one(turn, messages, session, now, subscribed)
        if publication is not None:
            publications.append(publication)
    if publications:
        events_publish(publications, send_inline=send_inline)


def _dispatch_one(
    turn: Turn, messages: list[Message], session: ChatSession, now, subscribed: dict
) -> Publication | None:
    bind_log_context(organization_id=turn.organization_id, session_id=turn.session_id)
    publication = None
    reason = session_ai_refusal_reason(session, now=now)
    if reason is not None:
        status = DispatchStatus.SKIPPED
        for listener in _skipped_turn_listeners:
            listener(session, reason)
    else:
        answered_by = _answered_by(turn, session)
        if turn.organization_id not in subscribed:
            subscribed[turn.organization_id] = integrations_subscribed(
                turn.organization_id, Event.TURN_READY
            )
        integrations = subscribed[turn.organization_id]
        if not integrations:
            if answered_by:
                status, reason = DispatchStatus.DISPATCHED, ""
            else:
                status, reason = DispatchStatus.NO_INTEGRATION, "no_integration"
        else:
            publication = Publication(
                organization=turn.organization_id,
                event=Event.TURN_READY,
                payload=turn_ready_payload(
                    turn=turn, session=session, messages=messages, answered_by=answered_by
                ),
                dedupe_key=str(turn.pk),
                turn=turn,
                integrations=integrations,
            )
            status, reason = DispatchStatus.DISPATCHED, ""
    turn.dispatch_status, turn.dispatch_reason = status, reason
    metrics.on_commit_inc(metrics.TURNS_CLOSED, reason=turn.close_reason, dispatch=status)
    if status == DispatchStatus.SKIPPED:
        metrics.on_commit_inc(metrics.TURNS_SKIPPED, reason=reason)
    return publication


def _media(message: Message) -> dict | None:
    if not message.is_media:
        return None
    return {
        "mimetype": message.media_mimetype,
        "filename": message.media_filename,
        "size": message.media_size,
        "duration": message.media_duration,
        # GET it with the integration's API key (PUBLIC_BASE_URL makes it absolute).
        "url": absolute_url(media_api_path(message)) if message.media_file else None,
    }


def turn_ready_payload(
    *,
    turn: Turn,
    session: ChatSession,
    messages: list[Message],
    answered_by: str | None = None,
) -> dict:
    contact = session.contact
    instance = session.instance
    return {
        # "assistant" when the built-in assistant answers this turn, so an
        # external AI platform can stay quiet; null when nobody in Atende does.
        "answeredBy": answered_by,
        "instance": {
            "id": str(instance.id),
            "name": instance.name,
            "provider": instance.provider,
            "phoneNumber": instance.phone_number,
        },
        "session": session_payload(session, keys=TURN_READY_SESSION_KEYS),
        "contact": {
            "id": str(contact.id),
            "phone": contact.phone,
            "name": contact.name,
            "externalId": contact.external_id,
        },
        "turn": {
            "id": str(turn.id),
            "text": turn.text,
            "messagesCount": len(messages),
            "isConcatenated": len(messages) > 1,
            "closeReason": turn.close_reason,
            "firstMessageAt": iso_utc(turn.first_message_at),
            "lastMessageAt": iso_utc(turn.last_message_at),
            "messages": [
                {
                    "id": str(m.id),
                    "type": m.kind,
                    "text": m.text,
                    # A tap on buttons or a list (or a numbered answer): {id, title, toMessageId}.
                    "reply": (m.payload or {}).get("reply"),
                    "transcription": m.transcription or None,
                    "transcriptionStatus": m.transcription_status or None,
                    "media": _media(m),
                    "timestamp": iso_utc(m.provider_timestamp or m.created_at),
                }
                for m in messages
            ],
        },
    }


def message_status_publish(message: Message) -> None:
    """``message.status`` to integrations subscribed to it (once per status)."""
    event_publish(
        organization=message.organization_id,
        event=Event.MESSAGE_STATUS,
        payload={
            "message": {
                "id": str(message.id),
                "sessionId": str(message.session_id),
                "author": message.author,
                "status": message.delivery_status,
                "providerMessageId": message.provider_message_id,
                "externalId": message.external_id,
                "error": message.delivery_error or None,
                "errorCode": message.delivery_error_code or None,
                "errorTitle": message.delivery_error_title or None,
            }
        },
        dedupe_key=f"{message.id}:{message.delivery_status}",
    )
    if message.delivery_status == DeliveryStatus.FAILED:
        # WhatsApp refused it after all (131047 outside the 24-hour window,
        # 131026 undeliverable ...): the message an integration has changed.
        event_publish(
            organization=message.organization_id,
            event=Event.MESSAGE_UPDATED,
            payload={
                "message": {
                    "id": str(message.id),
                    "sessionId": str(message.session_id),
                    "contactId": str(message.contact_id),
                    "providerMessageId": message.provider_message_id,
                    "kind": message.kind,
                    "author": message.author,
                    "status": message.delivery_status,
                    "error": message.delivery_error or None,
                    "errorCode": message.delivery_error_code or None,
                    "errorTitle": message.delivery_error_title or None,
                }
            },
            dedupe_key=f"{message.id}:failed",
        )
