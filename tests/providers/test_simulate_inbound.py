"""simulate_inbound posts a real signed sandbox webhook to a running server."""

import pytest
from django.core.management import CommandError, call_command

from messaging.models import Author, Message

pytestmark = pytest.mark.usefixtures("inbox_inline")


@pytest.mark.django_db(transaction=True)
def test_it_delivers_a_text_and_a_file(live_server, sandbox_instance, tmp_path):
    call_command(
        "simulate_inbound",
        instance=str(sandbox_instance.id),
        phone="+55 11 98765-4321",
        text="Olá, sandbox!",
        name="Maria",
        url=live_server.url,
    )
    picture = tmp_path / "pixel.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    call_command(
        "simulate_inbound",
        instance=str(sandbox_instance.id),
        phone="5511987654321",
        text="a foto",
        file=str(picture),
        url=live_server.url,
    )

    text, image = Message.objects.order_by("created_at")
    assert (text.text, text.author, text.contact.phone, text.contact.name) == (
        "Olá, sandbox!",
        Author.CUSTOMER,
        "5511987654321",
        "Maria",
    )
    assert (image.kind, image.text, image.media_mimetype, image.media_filename) == (
        "image",
        "a foto",
        "image/png",
        "pixel.png",
    )
    assert image.session_id == text.session_id


@pytest.mark.django_db
def test_it_refuses_a_non_sandbox_instance(evolution_instance):
    with pytest.raises(CommandError, match="not a sandbox instance"):
        call_command("simulate_inbound", instance=str(evolution_instance.id), phone="1", text="x")
