"""The send task against real HTTP servers speaking each gateway's documented API."""

import base64

import pytest
from django.core.files.base import ContentFile

from contacts.models import Contact
from messaging.models import Author, DeliveryStatus, Direction, Message
from messaging.outbound.sending import send_message
from providers.models import Provider
from tests.support import factories
from tests.support.gateways import EVOLUTION_SENT, PHONE, make_instance
from tests.support.http_server import FakeHTTPServer, sequence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inbox_inline")]


@pytest.fixture(autouse=True)
def _no_backoff(settings):
    settings.OUTBOUND_RETRY_BASE_SECONDS = 0


@pytest.fixture
def server():
    with FakeHTTPServer() as fake:
        yield fake


def outbound(instance, *, text="Olá! Como posso ajudar?", kind="text", **fields) -> Message:
    contact = factories.make_contact(instance.organization, phone=PHONE)
    session = factories.make_session(contact=contact, instance=instance)
    return factories.make_message(
        session,
        text=text,
        kind=kind,
        direction=Direction.OUTBOUND,
        author=Author.AGENT,
        delivery_status=DeliveryStatus.PENDING,
        **fields,
    )


def send(message: Message) -> Message:
    send_message.apply(args=[str(message.pk)])
    message.refresh_from_db()
    return message


class TestEvolution:
    def test_it_sends_text_with_the_apikey_header(self, organization, server):
        server.route("POST", "/message/sendText/atende-main", lambda r: EVOLUTION_SENT)
        message = send(outbound(make_instance(organization, Provider.EVOLUTION, server)))

        request = server.requests[0]
        assert request.headers["apikey"] == "evo-key"
        assert request.json == {"number": PHONE, "text": "Olá! Como posso ajudar?"}
        assert (message.delivery_status, message.provider_message_id, message.send_attempts) == (
            DeliveryStatus.SENT,
            "3EB0F00D",
            1,
        )
        assert message.sent_at is not None

    def test_it_quotes_the_replied_message(self, organization, server):
        server.route("POST", "/message/sendText/atende-main", lambda r: EVOLUTION_SENT)
        instance = make_instance(organization, Provider.EVOLUTION, server)
        send(outbound(instance, payload={"quotedId": "ABC123"}))
        assert server.requests[0].json["quoted"] == {"key": {"id": "ABC123"}}

    def test_it_sends_a_document_by_url(self, organization, server):
        server.route("POST", "/message/sendMedia/atende-main", lambda r: EVOLUTION_SENT)
        instance = make_instance(organization, Provider.EVOLUTION, server)
        message = outbound(
            instance,
            kind="document",
            text="Segue o boleto",
            media_ref={"url": "https://files.example.com/boleto.pdf"},
            media_mimetype="application/pdf",
            media_filename="boleto.pdf",
        )
        assert send(message).delivery_status == DeliveryStatus.SENT
        assert server.requests[0].json == {
            "number": PHONE,
            "mediatype": "document",
            "media": "https://files.example.com/boleto.pdf",
            "mimetype": "application/pdf",
            "caption": "Segue o boleto",
            "fileName": "boleto.pdf",
        }

    def test_it_sends_a_voice_note_from_the_stored_file(self, organization, server):
        server.route("POST", "/message/sendWhatsAppAudio/atende-main", lambda r: EVOLUTION_SENT)
        instance = make_instance(organization, Provider.EVOLUTION, server)
        message = outbound(instance, kind="voice", text="", media_mimetype="audio/ogg")
        message.media_file.save("note.ogg", ContentFile(b"OggS-bytes"))
        assert send(message).delivery_status == DeliveryStatus.SENT
        assert server.requests[0].json == {
            "number": PHONE,
            "audio": base64.b64encode(b"OggS-bytes").decode(),
        }

    def test_it_retries_429_and_5xx_then_succeeds(self, organization, server):
        server.route(
            "POST",
            "/message/sendText/atende-main",
            sequence(
                (429, {"error": "Too Many Requests"}),
                (502, {"error": "Bad Gateway"}),
                EVOLUTION_SENT,
            ),
        )
        message = send(outbound(make_instance(organization, Provider.EVOLUTION, server)))
        assert len(server.requests) == 3
        assert (message.delivery_status, message.send_attempts) == (DeliveryStatus.SENT, 3)

    def test_a_number_not_on_whatsapp_fails_at_once(self, organization, server):
        error = {
            "status": 400,
            "error": "Bad Request",
            "response": {"message": [{"jid": f"{PHONE}@s.whatsapp.net", "exists": False}]},
        }
        server.route("POST", "/message/sendText/atende-main", lambda r: (400, error))
        message = send(outbound(make_instance(organization, Provider.EVOLUTION, server)))
        assert len(server.requests) == 1
        assert message.delivery_status == DeliveryStatus.FAILED
        assert message.delivery_error.startswith("Evolution send failed: HTTP 400 ")
        assert '"exists": false' in message.delivery_error
        assert message.failed_at is not None

    def test_it_gives_up_after_the_last_retry(self, organization, server):
        server.route("POST", "/message/sendText/atende-main", lambda r: (503, {"error": "down"}))
        message = send(outbound(make_instance(organization, Provider.EVOLUTION, server)))
        assert len(server.requests) == 6
        assert message.delivery_status == DeliveryStatus.FAILED
        assert message.delivery_error.startswith("Gave up after 6 attempts: Evolution send failed")

    def test_a_message_already_sent_is_not_sent_again(self, organization, server):
        server.route("POST", "/message/sendText/atende-main", lambda r: EVOLUTION_SENT)
        message = send(outbound(make_instance(organization, Provider.EVOLUTION, server)))
        send(message)
        assert len(server.requests) == 1

    def test_a_status_that_beat_the_send_is_applied_after_it(self, organization, server, client):
        from tests.support.replay import load_fixture
        from tests.support.webhooks import post_webhook

        instance = make_instance(organization, Provider.EVOLUTION, server)
        read = load_fixture("evolution", "status_read")
        read["data"]["keyId"] = "3EB0F00D"
        post_webhook(instance, read)
        server.route("POST", "/message/sendText/atende-main", lambda r: EVOLUTION_SENT)
        message = send(outbound(instance))
        assert message.delivery_status == DeliveryStatus.READ


class TestUazapi:
    SENT = (200, {"id": "5511999990000:3EB0AB12", "messageid": "3EB0AB12", "fromMe": True})

    def test_it_sends_text_with_the_token_header(self, organization, server):
        server.route("POST", "/send/text", lambda r: self.SENT)
        message = send(outbound(make_instance(organization, Provider.UAZAPI, server)))
        request = server.requests[0]
        assert request.headers["token"] == "uaz-token"
        assert "authorization" not in request.headers
        assert request.json == {"number": PHONE, "text": "Olá! Como posso ajudar?"}
        assert (message.delivery_status, message.provider_message_id) == ("SENT", "3EB0AB12")

    def test_it_sends_an_image_with_caption(self, organization, server):
        server.route("POST", "/send/media", lambda r: self.SENT)
        instance = make_instance(organization, Provider.UAZAPI, server)
        message = outbound(
            instance,
            kind="image",
            text="Catálogo",
            media_ref={"url": "https://files.example.com/cat.jpg"},
            media_mimetype="image/jpeg",
        )
        assert send(message).delivery_status == DeliveryStatus.SENT
        assert server.requests[0].json == {
            "number": PHONE,
            "type": "image",
            "file": "https://files.example.com/cat.jpg",
            "text": "Catálogo",
            "mimetype": "image/jpeg",
        }

    def test_it_retries_rate_limits(self, organization, server):
        server.route(
            "POST", "/send/text", sequence((429, {"error": "Rate limit exceeded"}), self.SENT)
        )
        message = send(outbound(make_instance(organization, Provider.UAZAPI, server)))
        assert (len(server.requests), message.delivery_status) == (2, DeliveryStatus.SENT)

    def test_an_invalid_token_fails(self, organization, server):
        server.route("POST", "/send/text", lambda r: (401, {"error": "Invalid token"}))
        message = send(outbound(make_instance(organization, Provider.UAZAPI, server)))
        assert message.delivery_status == DeliveryStatus.FAILED
        assert message.delivery_error == ('UAZapi send failed: HTTP 401 {"error": "Invalid token"}')


class TestBaileysBridge:
    SENT = (
        201,
        {
            "key": {"remoteJid": f"{PHONE}@s.whatsapp.net", "fromMe": True, "id": "3EB0BR1D"},
            "status": 1,
        },
    )

    def test_it_sends_text_with_a_bearer_key(self, organization, server):
        server.route("POST", "/sessions/main/messages", lambda r: self.SENT)
        message = send(outbound(make_instance(organization, Provider.BAILEYS, server)))
        request = server.requests[0]
        assert request.headers["authorization"] == "Bearer bridge-key"
        assert request.json == {"to": PHONE, "type": "text", "text": "Olá! Como posso ajudar?"}
        assert message.provider_message_id == "3EB0BR1D"

    def test_it_sends_a_voice_note_as_ptt(self, organization, server):
        server.route("POST", "/sessions/main/messages", lambda r: self.SENT)
        instance = make_instance(organization, Provider.BAILEYS, server)
        message = outbound(
            instance,
            kind="voice",
            text="",
            media_ref={"url": "https://files.example.com/n.ogg"},
            media_mimetype="audio/ogg; codecs=opus",
        )
        send(message)
        assert server.requests[0].json == {
            "to": PHONE,
            "type": "audio",
            "mimetype": "audio/ogg; codecs=opus",
            "url": "https://files.example.com/n.ogg",
            "ptt": True,
        }

    def test_a_bridge_error_500_is_retried_and_400_fails(self, organization, server):
        server.route(
            "POST",
            "/sessions/main/messages",
            sequence((500, {"error": "socket closed"}), (400, {"error": "invalid jid"})),
        )
        message = send(outbound(make_instance(organization, Provider.BAILEYS, server)))
        assert len(server.requests) == 2
        assert message.delivery_status == DeliveryStatus.FAILED
        assert "invalid jid" in message.delivery_error


class TestCloudApi:
    SENT = (
        200,
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": PHONE, "wa_id": PHONE}],
            "messages": [{"id": "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkFCQ0RFRgA="}],
        },
    )

    def test_it_sends_text_with_a_bearer_token(self, organization, server):
        server.route("POST", "/106540352242922/messages", lambda r: self.SENT)
        message = send(outbound(make_instance(organization, Provider.CLOUDAPI, server)))
        request = server.requests[0]
        assert request.headers["authorization"] == "Bearer EAAG-token"
        assert request.json == {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": PHONE,
            "type": "text",
            "text": {"body": "Olá! Como posso ajudar?", "preview_url": False},
        }
        assert message.provider_message_id == "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkFCQ0RFRgA="

    def test_it_uploads_bytes_then_sends_the_media_id(self, organization, server):
        server.route("POST", "/106540352242922/media", lambda r: (200, {"id": "4490709327384033"}))
        server.route("POST", "/106540352242922/messages", lambda r: self.SENT)
        instance = make_instance(organization, Provider.CLOUDAPI, server)
        message = outbound(
            instance,
            kind="document",
            text="Contrato",
            media_mimetype="application/pdf",
            media_filename="contrato.pdf",
        )
        message.media_file.save("contrato.pdf", ContentFile(b"%PDF-1.4 test"))
        assert send(message).delivery_status == DeliveryStatus.SENT
        upload, sent = server.requests
        assert upload.headers["authorization"] == "Bearer EAAG-token"
        assert b"%PDF-1.4 test" in upload.body
        assert b'name="messaging_product"' in upload.body
        assert sent.json["document"] == {
            "id": "4490709327384033",
            "caption": "Contrato",
            "filename": "contrato.pdf",
        }

    def test_a_pair_rate_limit_400_is_retried(self, organization, server):
        limited = {
            "error": {
                "message": "(#131056) (Business Account, Consumer Account) pair rate limit hit",
                "type": "OAuthException",
                "code": 131056,
                "fbtrace_id": "AbCdEf",
            }
        }
        server.route("POST", "/106540352242922/messages", sequence((400, limited), self.SENT))
        message = send(outbound(make_instance(organization, Provider.CLOUDAPI, server)))
        assert (len(server.requests), message.delivery_status) == (2, DeliveryStatus.SENT)

    def test_a_throughput_limit_with_a_long_error_body_is_retried(self, organization, server):
        limited = {
            "error": {
                # Graph's messages can be long: the code must still be read.
                "message": "(#130429) Rate limit hit. " + "Cloud API throughput reached. " * 30,
                "type": "OAuthException",
                "code": 130429,
                "fbtrace_id": "AbCdEf",
            }
        }
        server.route("POST", "/106540352242922/messages", sequence((400, limited), self.SENT))
        message = send(outbound(make_instance(organization, Provider.CLOUDAPI, server)))
        assert (len(server.requests), message.delivery_status) == (2, DeliveryStatus.SENT)

    def test_an_invalid_parameter_400_fails(self, organization, server):
        invalid = {
            "error": {
                "message": "(#100) Invalid parameter",
                "type": "OAuthException",
                "code": 100,
                "error_data": {"details": "Invalid 'to' parameter"},
                "fbtrace_id": "AbCdEf",
            }
        }
        server.route("POST", "/106540352242922/messages", lambda r: (400, invalid))
        message = send(outbound(make_instance(organization, Provider.CLOUDAPI, server)))
        assert len(server.requests) == 1
        assert message.delivery_status == DeliveryStatus.FAILED
        assert "Invalid parameter" in message.delivery_error


def test_a_contact_known_only_by_lid_is_sent_to_its_lid(organization, server):
    server.route("POST", "/message/sendText/atende-main", lambda r: EVOLUTION_SENT)
    instance = make_instance(organization, Provider.EVOLUTION, server)
    contact = Contact.objects.create(organization=organization, phone=None)
    contact.whatsapp_ids.create(organization=organization, wa_id="987654321012345@lid")
    session = factories.make_session(contact=contact, instance=instance)
    message = factories.make_message(
        session, direction=Direction.OUTBOUND, author=Author.AI, text="Oi"
    )
    send(message)
    assert server.requests[0].json["number"] == "987654321012345@lid"
