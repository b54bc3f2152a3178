"""The one contract every WhatsApp gateway adapter speaks.

Nothing after an adapter reads provider JSON: webhooks are parsed into the
normalized events below, and sending, media download, number checks and
connection state go through ``GatewayAdapter``. Adapters never touch domain
models other than reading their ``Instance``.

Errors are typed: ``TransientGatewayError`` (timeouts, connection errors,
429, 5xx) may be retried; ``PermanentGatewayError`` (400/401/404, number not
on WhatsApp, unsupported media) must not be.
"""

from __future__ import annotations

import hmac
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from providers.rich import OutboundInteractive, OutboundTemplate, SyncedTemplate

if TYPE_CHECKING:
    from providers.models import Instance


# --- errors -----------------------------------------------------------------


# The webhook secret as a header, for gateways that can send custom headers
# (docs/PROVIDERS.md): the instance's URL then needs no secret in its path.
SECRET_HEADER = "X-Webhook-Secret"


class GatewayError(Exception):
    """A gateway call failed. ``status_code`` is the HTTP status when there was
    one; ``body`` the gateway's JSON answer when it sent one (its error codes);
    ``error_code``/``error_title`` WhatsApp's reason, when the gateway names it."""

    transient: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: Any = None,
        error_code: str = "",
        error_title: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body
        # WhatsApp's own code and title when the gateway gives them (Cloud API).
        self.error_code = error_code
        self.error_title = error_title


class TransientGatewayError(GatewayError):
    transient = True


class PermanentGatewayError(GatewayError):
    transient = False


class PairingNotSupported(PermanentGatewayError):
    """The gateway pairs no phone by QR code (Cloud API: Meta's dashboard; sandbox)."""


class MediaTooLarge(PermanentGatewayError):
    """The media is over the caller's byte limit (known up front or seen mid-download)."""


class WebhookPayloadError(ValueError):
    """The webhook body is not what this gateway sends: answer 400, store nothing."""


# --- normalized webhook events ---------------------------------------------


@dataclass(frozen=True)
class InboundMedia:
    mimetype: str = ""
    filename: str = ""
    size: int | None = None
    duration: float | None = None  # seconds
    # Whatever this adapter's download_media needs to fetch the bytes again
    # (message key, media id, inline base64 ...). Opaque to everything else.
    ref: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MessageEvent:
    """A message in a chat: from the customer, or sent from our number (``from_me``)."""

    provider_message_id: str
    from_me: bool
    chat_id: str  # the remote JID as the gateway gave it (…@s.whatsapp.net, …@lid, …@g.us)
    phone: str | None  # the remote party's phone digits when the gateway reveals them
    wa_ids: tuple[str, ...]  # every id seen for the remote party (jid, lid)
    kind: str  # messaging.models.MessageKind value
    text: str = ""
    push_name: str = ""
    media: InboundMedia | None = None
    # Normalized extras by kind: location {latitude, longitude, name, address},
    # contact {name, vcard}, reaction {emoji, targetId}, quotedId, ...
    payload: dict = field(default_factory=dict)
    timestamp: datetime | None = None
    is_group: bool = False
    # True when the gateway says it came from its own API (an echo of our send).
    sent_by_api: bool = False
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StatusEvent:
    """A delivery receipt for a message we sent (or one typed on the phone).

    A failure WhatsApp reports later carries its code and title (Cloud API
    ``errors[0]``: 131047 re-engagement, 131026 undeliverable ...)."""

    provider_message_id: str
    status: str  # messaging.models.DeliveryStatus value
    error: str = ""
    timestamp: datetime | None = None
    error_code: str = ""
    error_title: str = ""


@dataclass(frozen=True)
class TemplateStatusEvent:
    """Meta changed a message template's status (``message_template_status_update``)."""

    template_id: str
    name: str
    language: str
    status: str  # APPROVED, PENDING, REJECTED, PAUSED, DISABLED ...
    reason: str = ""


@dataclass(frozen=True)
class ConnectionEvent:
    status: str  # providers.models.ConnectionStatus value
    reason: str = ""
    phone_number: str = ""


@dataclass(frozen=True)
class QrCodeEvent:
    qr_code: str  # data: URI (image) or the raw QR string
    pairing_code: str = ""


@dataclass(frozen=True)
class MessageEditEvent:
    """The sender changed a message's text (a caption, for media).

    ``provider_message_id`` is the edited message's id, not the id of the
    protocol message that carried the edit; ``timestamp`` is when the edit
    was made (the gateway's clock), used to keep the latest edit when
    edits arrive out of order.

    ``chat_id`` and ``phone`` name the chat the edit was made in, as
    ``MessageEvent``'s do, when the gateway's form carries it (empty/None
    when it does not): the webhook inbox files the edit in that chat's
    partition, behind the message it edits.
    """

    provider_message_id: str
    text: str
    timestamp: datetime | None = None
    chat_id: str = ""  # the remote JID, as MessageEvent.chat_id
    phone: str | None = None  # the remote party's phone digits, as MessageEvent.phone
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MessageDeleteEvent:
    """The sender deleted a message for everyone ("apagar para todos").

    Who deleted it follows from the message itself: only its sender can.
    ``chat_id`` and ``phone`` name the chat, as on ``MessageEditEvent``.
    """

    provider_message_id: str
    timestamp: datetime | None = None
    chat_id: str = ""  # the remote JID, as MessageEvent.chat_id
    phone: str | None = None  # the remote party's phone digits, as MessageEvent.phone
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IgnoredEvent:
    """Known but irrelevant, or unknown: answered 200 and logged."""

    event_type: str
    reason: str


WebhookEvent = (
    MessageEvent
    | MessageEditEvent
    | MessageDeleteEvent
    | StatusEvent
    | ConnectionEvent
    | QrCodeEvent
    | TemplateStatusEvent
    | IgnoredEvent
)


# --- outbound ----------------------------------------------------------------


@dataclass(frozen=True)
class OutboundMedia:
    kind: str  # image | audio | voice | video | document | sticker
    mimetype: str = ""
    filename: str = ""
    caption: str = ""
    url: str | None = None  # a public URL the gateway can fetch
    data: bytes | None = None  # or the bytes themselves (sent as base64)


class UnsupportedByGateway(PermanentGatewayError):
    """The gateway has no such feature (templates on WhatsApp Web gateways)."""


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DownloadedMedia:
    data: bytes
    mimetype: str = ""
    filename: str = ""


@dataclass(frozen=True)
class NumberCheck:
    exists: bool
    phone: str
    wa_id: str = ""


# --- the adapter -------------------------------------------------------------


class GatewayAdapter(ABC):
    provider: ClassVar[str]  # the slug in URLs, the API and the database
    label: ClassVar[str]  # the gateway's name as people know it

    def __init__(self, instance: Instance) -> None:
        self.instance = instance

    def authenticate_webhook(
        self,
        *,
        raw_body: bytes,
        headers: Mapping[str, str],
        body: Any,
        secret_in_path: bool,
    ) -> bool:
        """Whether a webhook request really comes from this instance's gateway.

        ``secret_in_path`` is True when the URL carried this instance's
        webhook secret. ``body`` is the parsed JSON, or None when it is not
        JSON (signature checks run on ``raw_body`` before any parsing).
        By default the secret in the URL, or in the ``X-Webhook-Secret``
        header, is what authenticates.
        """
        return secret_in_path or secrets_match(
            headers.get(SECRET_HEADER), self.instance.webhook_secret
        )

    def verify_subscription(self, query: Mapping[str, str]) -> str | None:
        """A GET subscription handshake (Cloud API): the challenge to echo, or None to refuse."""
        return None

    @abstractmethod
    def parse_webhook(self, body: dict, headers: Mapping[str, str]) -> list[WebhookEvent]:
        """Normalize one webhook body. Raises WebhookPayloadError on shape drift."""

    def parse(self, body: Any, headers: Mapping[str, str]) -> list[WebhookEvent]:
        """``parse_webhook`` as the webhook view and the inbox call it.

        A parser checks the fields it relies on, but a gateway can put a list
        where an object belongs anywhere in a deep payload; such a body is
        shape drift too (400, nothing stored), not a server error.
        """
        try:
            return self.parse_webhook(body, headers)
        except WebhookPayloadError:
            raise
        except (AttributeError, KeyError, IndexError, TypeError, ValueError, OverflowError) as exc:
            raise WebhookPayloadError(
                f"unexpected payload shape ({type(exc).__name__}: {str(exc)[:200]})"
            ) from exc

    @abstractmethod
    def send_text(self, *, to: str, text: str, quoted_id: str | None = None) -> SendResult: ...

    @abstractmethod
    def send_media(self, *, to: str, media: OutboundMedia) -> SendResult: ...

    # Gateways with native reply buttons/lists override send_interactive;
    # the others get a numbered text instead (messaging.outbound.interactive).
    def send_interactive(self, *, to: str, interactive: OutboundInteractive) -> SendResult:
        raise UnsupportedByGateway(f"{self.provider} sends no buttons or lists")

    @classmethod
    def sends_interactive(cls) -> bool:
        return cls.send_interactive is not GatewayAdapter.send_interactive

    # Message templates exist only on Meta's Cloud API.
    def send_template(self, *, to: str, template: OutboundTemplate) -> SendResult:
        raise UnsupportedByGateway(f"{self.provider} has no message templates")

    def list_templates(self) -> list[SyncedTemplate]:
        raise UnsupportedByGateway(f"{self.provider} has no message templates")

    @classmethod
    def has_templates(cls) -> bool:
        return cls.send_template is not GatewayAdapter.send_template

    @abstractmethod
    def download_media(self, ref: dict, *, max_bytes: int) -> DownloadedMedia:
        """Fetch media bytes; raises MediaTooLarge past ``max_bytes`` (checked while reading)."""

    @abstractmethod
    def check_number(self, phone: str) -> NumberCheck: ...

    @abstractmethod
    def connection_state(self) -> ConnectionEvent: ...

    def connect(self) -> QrCodeEvent | ConnectionEvent:
        """Start pairing: the QR code to scan, or the state when already connected."""
        raise PairingNotSupported(f"{self.provider} has no QR code pairing")

    @classmethod
    def pairs_by_qr(cls) -> bool:
        """Whether ``connect`` does anything (the adapter overrides it)."""
        return cls.connect is not GatewayAdapter.connect


def secrets_match(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison that never matches an empty expected secret."""
    # Anything a payload can carry arrives here (numbers, lists, non-ASCII
    # headers): only non-empty strings can match, compared as bytes.
    if not isinstance(given, str) or not isinstance(expected, str) or not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())
