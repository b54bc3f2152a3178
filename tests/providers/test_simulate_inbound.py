"""simulate_inbound posts a real signed sandbox webhook to a running server."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from messaging.models import Author, Message
from providers.models import Instance

ROOT = Path(__file__).resolve().parents[2]

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


@pytest.mark.django_db(transaction=True)
def test_it_defaults_to_the_demo_sandbox_and_sends_the_shipped_samples(
    live_server, settings, tmp_path, monkeypatch
):
    from messaging.management.commands import setup_demo

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(setup_demo, "CREDENTIALS_FILE", tmp_path / "demo-credentials.json")
    call_command("setup_demo", base_url=live_server.url, stdout=StringIO())

    for sample in ("foto.jpg", "audio.ogg", "comprovante.pdf"):
        call_command(
            "simulate_inbound",
            phone="5511987654321",
            file=str(ROOT / "samples" / sample),
            url=live_server.url,
            stdout=StringIO(),
        )

    sandbox = Instance.objects.get(name="Sandbox", organization__name="Demo")
    received = Message.objects.filter(session__instance=sandbox).order_by("created_at")
    assert [(m.kind, m.media_mimetype, m.media_filename) for m in received] == [
        ("image", "image/jpeg", "foto.jpg"),
        ("voice", "audio/ogg", "audio.ogg"),
        ("document", "application/pdf", "comprovante.pdf"),
    ]
    assert all(m.media_size and m.media_size < 64_000 for m in received)


@pytest.mark.django_db
def test_without_an_instance_or_a_demo_it_says_what_to_do(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="run `make run`.*or pass --instance"):
        call_command("simulate_inbound", phone="5511987654321", text="oi")
