"""Instances whose gateway is a FakeHTTPServer, and a gateway's answer to a send."""

from providers.models import Provider
from tests.support import factories

PHONE = "5511987654321"


def make_instance(organization, provider, server, **fields):
    defaults = {
        Provider.EVOLUTION: {"external_id": "atende-main", "credentials": {"apiKey": "evo-key"}},
        Provider.UAZAPI: {"credentials": {"token": "uaz-token"}},
        Provider.BAILEYS: {"external_id": "main", "credentials": {"apiKey": "bridge-key"}},
        Provider.CLOUDAPI: {
            "external_id": "106540352242922",
            "credentials": {"accessToken": "EAAG-token"},
            "app_secret": "s",
        },
    }[provider]
    fields = {"base_url": server.url, **defaults, **fields}
    return factories.make_instance(organization, provider=provider, **fields)


# Evolution's answer to sendText for PHONE.
EVOLUTION_SENT = (
    201,
    {
        "key": {"remoteJid": f"{PHONE}@s.whatsapp.net", "fromMe": True, "id": "3EB0F00D"},
        "pushName": "",
        "status": "PENDING",
        "message": {"conversation": "Olá! Como posso ajudar?"},
        "messageType": "conversation",
        "messageTimestamp": 1761057130,
        "source": "unknown",
    },
)
