"""Media download, number check and connection state against each gateway's API."""

import base64

import pytest

from providers.base import MediaTooLarge, PermanentGatewayError, TransientGatewayError
from providers.registry import get_adapter, provider_slugs
from tests.support.gateways import make_instance
from tests.support.http_server import FakeHTTPServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def server():
    with FakeHTTPServer() as fake:
        yield fake


def test_evolution_downloads_through_getbase64(organization, server):
    server.route(
        "POST",
        "/chat/getBase64FromMediaMessage/atende-main",
        lambda r: (
            201,
            {
                "mediaType": "imageMessage",
                "fileName": "x.png",
                "size": {"fileLength": 68},
                "mimetype": "image/png",
                "base64": base64.b64encode(PNG).decode(),
            },
        ),
    )
    adapter = get_adapter(make_instance(organization, "evolution", server))
    media = adapter.download_media({"id": "ABC", "key": {"id": "ABC"}}, max_bytes=1000)
    assert (media.data, media.mimetype, media.filename) == (PNG, "image/png", "x.png")
    request = server.requests[0]
    assert request.headers["apikey"] == "evo-key"
    assert request.json == {"message": {"key": {"id": "ABC"}}, "convertToMp4": False}
    with pytest.raises(MediaTooLarge):
        adapter.download_media({"id": "ABC", "key": {"id": "ABC"}}, max_bytes=10)


def test_evolution_uses_inline_base64_without_a_request(organization, server):
    adapter = get_adapter(make_instance(organization, "evolution", server))
    ref = {"id": "A", "base64": base64.b64encode(PNG).decode(), "mimetype": "image/png"}
    assert adapter.download_media(ref, max_bytes=1000).data == PNG
    with pytest.raises(MediaTooLarge):
        adapter.download_media(ref, max_bytes=20)
    assert server.requests == []


def test_evolution_checks_numbers_and_state(organization, server):
    server.route(
        "POST",
        "/chat/whatsappNumbers/atende-main",
        lambda r: (
            200,
            [{"jid": "553187654321@s.whatsapp.net", "exists": True, "number": "5531987654321"}],
        ),
    )
    server.route(
        "GET",
        "/instance/connectionState/atende-main",
        lambda r: (200, {"instance": {"instanceName": "atende-main", "state": "open"}}),
    )
    server.route(
        "GET",
        "/instance/connect/atende-main",
        lambda r: (
            200,
            {
                "pairingCode": "WZYEH1YY",
                "code": "2@abc",
                "base64": "data:image/png;base64,AAA",
                "count": 1,
            },
        ),
    )
    adapter = get_adapter(make_instance(organization, "evolution", server))
    check = adapter.check_number("5531987654321")
    assert (check.exists, check.phone, check.wa_id) == (
        True,
        "5531987654321",
        "553187654321@s.whatsapp.net",
    )
    assert adapter.connection_state().status == "CONNECTED"
    qr = adapter.connect()
    assert (qr.qr_code, qr.pairing_code) == ("data:image/png;base64,AAA", "WZYEH1YY")


def test_uazapi_downloads_through_message_download(organization, server):
    server.route(
        "POST",
        "/message/download",
        lambda r: (200, {"fileURL": f"{server.url}/files/abc.ogg", "mimetype": "audio/ogg"}),
    )
    server.route(
        "GET",
        "/files/abc.ogg",
        lambda r: (200, b"OggS" + b"\0" * 96, {"Content-Type": "audio/ogg"}),
    )
    adapter = get_adapter(make_instance(organization, "uazapi", server))
    media = adapter.download_media({"messageid": "3EB0C1"}, max_bytes=1000)
    assert (media.data[:4], len(media.data), media.mimetype) == (b"OggS", 100, "audio/ogg")
    assert server.requests[0].headers["token"] == "uaz-token"
    assert server.requests[0].json == {"id": "3EB0C1", "return_link": True, "return_base64": False}
    with pytest.raises(MediaTooLarge):
        adapter.download_media({"messageid": "3EB0C1"}, max_bytes=50)


def test_uazapi_checks_numbers_and_state(organization, server):
    server.route(
        "POST",
        "/chat/check",
        lambda r: (
            200,
            [
                {
                    "query": "5511900000000",
                    "jid": "",
                    "lid": "",
                    "isInWhatsapp": False,
                    "verifiedName": "",
                }
            ],
        ),
    )
    server.route(
        "GET",
        "/instance/status",
        lambda r: (
            200,
            {
                "instance": {"id": "r1", "status": "disconnected"},
                "status": {"connected": False, "loggedIn": False, "jid": None},
            },
        ),
    )
    adapter = get_adapter(make_instance(organization, "uazapi", server))
    assert adapter.check_number("5511900000000").exists is False
    assert adapter.connection_state().status == "DISCONNECTED"


def test_baileys_bridge_streams_media_and_reports_state(organization, server):
    server.route(
        "POST", "/sessions/main/media", lambda r: (200, PNG, {"Content-Type": "image/png"})
    )
    server.route(
        "GET",
        "/sessions/main",
        lambda r: (200, {"connection": "open", "me": {"id": "5511999990000:3@s.whatsapp.net"}}),
    )
    adapter = get_adapter(make_instance(organization, "baileys", server))
    ref = {"message": {"key": {"id": "3AB1"}, "message": {"imageMessage": {"mediaKey": "k"}}}}
    media = adapter.download_media(ref, max_bytes=1000)
    assert (media.data, media.mimetype) == (PNG, "image/png")
    assert server.requests[0].json == {"message": ref["message"]}
    assert server.requests[0].headers["authorization"] == "Bearer bridge-key"
    state = adapter.connection_state()
    assert (state.status, state.phone_number) == ("CONNECTED", "5511999990000")


def test_cloudapi_resolves_the_media_id_then_downloads_with_the_token(organization, server):
    server.route(
        "GET",
        "/1037543291543636",
        lambda r: (
            200,
            {
                "url": f"{server.url}/whatsapp_business/attachments/?mid=1037",
                "mime_type": "image/jpeg",
                "sha256": "x",
                "file_size": 68,
                "id": "1037543291543636",
                "messaging_product": "whatsapp",
            },
        ),
    )
    server.route(
        "GET",
        "/whatsapp_business/attachments/",
        lambda r: (200, PNG, {"Content-Type": "image/jpeg"}),
    )
    adapter = get_adapter(make_instance(organization, "cloudapi", server))
    media = adapter.download_media({"mediaId": "1037543291543636"}, max_bytes=1000)
    assert (media.data, media.mimetype) == (PNG, "image/jpeg")
    assert [r.headers["authorization"] for r in server.requests] == ["Bearer EAAG-token"] * 2
    with pytest.raises(MediaTooLarge):
        adapter.download_media({"mediaId": "1037543291543636"}, max_bytes=10)


def test_cloudapi_state_reads_the_phone_number(organization, server):
    server.route(
        "GET",
        "/106540352242922",
        lambda r: (
            200,
            {
                "display_phone_number": "+55 11 99999-0000",
                "verified_name": "Loja",
                "id": "106540352242922",
            },
        ),
    )
    state = get_adapter(make_instance(organization, "cloudapi", server)).connection_state()
    assert (state.status, state.phone_number) == ("CONNECTED", "5511999990000")
    assert server.requests[0].query == {
        "fields": "display_phone_number,verified_name,quality_rating"
    }


def test_errors_are_typed(organization, server):
    server.route(
        "GET",
        "/instance/connectionState/atende-main",
        lambda r: (401, {"status": 401, "error": "Unauthorized"}),
    )
    adapter = get_adapter(make_instance(organization, "evolution", server))
    with pytest.raises(PermanentGatewayError):
        adapter.connection_state()
    dead = get_adapter(
        make_instance(organization, "evolution", server, name="dead", base_url="http://127.0.0.1:9")
    )
    with pytest.raises(TransientGatewayError):
        dead.connection_state()


def test_which_gateways_pair_by_qr_code():
    from providers.registry import adapter_class

    assert {provider: adapter_class(provider).pairs_by_qr() for provider in provider_slugs()} == {
        "evolution": True,
        "uazapi": True,
        "baileys": True,
        "cloudapi": False,
        "sandbox": False,
    }


def test_which_gateways_have_templates_and_native_buttons():
    from providers.registry import adapter_class

    capabilities = {
        provider: (
            adapter_class(provider).has_templates(),
            adapter_class(provider).sends_interactive(),
        )
        for provider in provider_slugs()
    }
    # The others send buttons and lists as a numbered text (docs/PROVIDERS.md).
    assert capabilities == {
        "evolution": (False, False),
        "uazapi": (False, True),
        "baileys": (False, False),
        "cloudapi": (True, True),
        "sandbox": (False, False),
    }


def test_a_new_gateway_is_one_registry_line_and_no_migration(monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from providers import registry
    from providers.models import Instance

    monkeypatch.setitem(registry.ADAPTERS, "newgateway", "providers.sandbox.adapter.SandboxAdapter")

    assert "newgateway" in provider_slugs()
    assert ("newgateway", "Sandbox") in Instance._meta.get_field("provider").choices
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
