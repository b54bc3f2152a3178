"""A Meta Cloud API on 127.0.0.1: the templates list (paged) and the send endpoint.

Speaks Graph's documented contract: ``GET /{waba}/message_templates``
answers ``data[]`` with ``paging.next`` (a full URL) while pages remain;
``POST /{phone-number-id}/messages`` answers ``{contacts, messages: [{id}]}``
or a Graph error ``{"error": {"message", "type", "code", "error_data"}}``.
"""

from itertools import count

from providers.models import Provider
from tests.support import factories
from tests.support.http_server import FakeHTTPServer

WABA_ID = "102290129340398"
PHONE_NUMBER_ID = "106540352242922"

ORDER_SHIPPED = {
    "id": "1001",
    "name": "pedido_enviado",
    "language": "pt_BR",
    "status": "APPROVED",
    "category": "UTILITY",
    "parameter_format": "POSITIONAL",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"},
        {
            "type": "BODY",
            "text": "Olá {{1}}, seu pedido {{2}} saiu para entrega.",
            "example": {"body_text": [["Maria", "#4521"]]},
        },
        {"type": "FOOTER", "text": "Loja Centro"},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Obrigado"},
                {"type": "URL", "text": "Rastrear", "url": "https://loja.example/r/{{1}}"},
            ],
        },
    ],
}
NAMED_REMINDER = {
    "id": "1002",
    "name": "lembrete_consulta",
    "language": "pt_BR",
    "status": "APPROVED",
    "category": "UTILITY",
    "parameter_format": "NAMED",
    "components": [
        {
            "type": "BODY",
            "text": "Oi {{first_name}}, sua consulta é {{date}}.",
            "example": {
                "body_text_named_params": [
                    {"param_name": "first_name", "example": "Maria"},
                    {"param_name": "date", "example": "amanhã"},
                ]
            },
        }
    ],
}
INVOICE_PDF = {
    "id": "1003",
    "name": "boleto",
    "language": "pt_BR",
    "status": "APPROVED",
    "category": "UTILITY",
    "parameter_format": "POSITIONAL",
    "components": [
        {"type": "HEADER", "format": "DOCUMENT"},
        {"type": "BODY", "text": "Segue seu boleto."},
    ],
}
PENDING_PROMO = {
    "id": "1004",
    "name": "promo_natal",
    "language": "pt_BR",
    "status": "PENDING",
    "category": "MARKETING",
    "parameter_format": "POSITIONAL",
    "components": [{"type": "BODY", "text": "Feliz Natal!"}],
}
WELCOME_EN = {
    "id": "1005",
    "name": "pedido_enviado",
    "language": "en_US",
    "status": "REJECTED",
    "category": "UTILITY",
    "parameter_format": "POSITIONAL",
    "components": [{"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped."}],
}
TEMPLATES = [ORDER_SHIPPED, NAMED_REMINDER, INVOICE_PDF, PENDING_PROMO, WELCOME_EN]


class FakeCloudApi:
    """Routes a FakeHTTPServer as Graph: templates ``page_size`` at a time, sends recorded."""

    def __init__(self, server: FakeHTTPServer, *, templates=None, page_size: int = 2):
        self.server = server
        self.templates = list(TEMPLATES if templates is None else templates)
        self.page_size = page_size
        self.send_error: tuple[int, dict] | None = None
        self._ids = count(1)
        server.route("GET", f"/{WABA_ID}/message_templates", self._templates)
        server.route("POST", f"/{PHONE_NUMBER_ID}/messages", self._send)

    def _templates(self, request):
        after = int(request.query.get("after") or 0)
        page = self.templates[after : after + self.page_size]
        body: dict = {"data": page, "paging": {"cursors": {"before": str(after)}}}
        if after + self.page_size < len(self.templates):
            body["paging"]["cursors"]["after"] = str(after + self.page_size)
            body["paging"]["next"] = (
                f"{self.server.url}/{WABA_ID}/message_templates?limit={self.page_size}"
                f"&after={after + self.page_size}"
            )
        return 200, body

    def _send(self, request):
        if self.send_error is not None:
            return self.send_error
        to = request.json["to"]
        wamid = f"wamid.TEST{next(self._ids):04d}"
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": wamid}],
        }

    @property
    def sends(self) -> list[dict]:
        return [r.json for r in self.server.requests_to(f"/{PHONE_NUMBER_ID}/messages")]


def make_cloudapi_instance(organization, server: FakeHTTPServer, **fields):
    defaults = {
        "name": "Cloud",
        "base_url": server.url,
        "external_id": PHONE_NUMBER_ID,
        "credentials": {"accessToken": "EAAG-token", "businessAccountId": WABA_ID},
        "app_secret": "meta-app-secret",
    }
    return factories.make_instance(
        organization, provider=Provider.CLOUDAPI, **{**defaults, **fields}
    )


RE_ENGAGEMENT_ERROR = (
    400,
    {
        "error": {
            "message": "(#131047) Re-engagement message",
            "type": "OAuthException",
            "code": 131047,
            "error_data": {
                "messaging_product": "whatsapp",
                "details": "Message failed to send because more than 24 hours have passed "
                "since the customer last replied to this number.",
            },
            "fbtrace_id": "AbCdEf",
        }
    },
)
