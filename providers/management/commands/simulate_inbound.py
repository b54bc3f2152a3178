"""Play a customer writing to a sandbox instance: a real, signed webhook over HTTP."""

import base64
import json
import mimetypes
import time
import uuid
from pathlib import Path

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from providers.models import Instance, Provider
from providers.sandbox.adapter import SIGNATURE_HEADER, sign

_KIND_BY_MIME = {"image": "image", "audio": "voice", "video": "video"}


class Command(BaseCommand):
    help = (
        "Post a sandbox webhook (a customer's message) to the running server, signed with the "
        "instance's webhook secret, e.g. --instance <id> --phone 5511987654321 --text 'Olá'."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--instance",
            help="Sandbox instance id (default: the demo's, from var/demo-credentials.json).",
        )
        parser.add_argument("--phone", required=True, help="The customer's phone number.")
        parser.add_argument("--text", default="", help="Message text (the caption with --file).")
        parser.add_argument("--file", help="Send this file as media (image, audio, video, …).")
        parser.add_argument("--name", default="", help="The customer's WhatsApp name.")
        parser.add_argument("--from-me", action="store_true", help="Typed on the business phone.")
        parser.add_argument(
            "--url",
            default=_demo_base_url(),
            help="Server base URL (default: the one `make run` printed, else port 8000).",
        )

    def handle(self, *args, **options):
        instance_id = options["instance"] or _demo_credentials().get("sandboxInstanceId")
        if not instance_id:
            raise CommandError(
                "No --instance given and no demo sandbox recorded in "
                f"{settings.VAR_DIR / 'demo-credentials.json'}: run `make run` "
                "(or `manage.py setup_demo`) first, or pass --instance <sandbox id>."
            )
        try:
            instance = Instance.objects.get(pk=instance_id)
        except (Instance.DoesNotExist, ValidationError):
            raise CommandError(
                f"No instance {instance_id!r}"
                + (
                    "."
                    if options["instance"]
                    else " (the demo's, recorded by make run): pass --instance."
                )
            ) from None
        if instance.provider != Provider.SANDBOX:
            raise CommandError(f"Instance {instance.name!r} is not a sandbox instance.")
        if not options["text"] and not options["file"]:
            raise CommandError("Give --text, --file or both.")
        message = {
            "id": f"SIM-{uuid.uuid4().hex[:20].upper()}",
            "from": options["phone"],
            "name": options["name"],
            "text": options["text"],
            "fromMe": options["from_me"],
            "timestamp": int(time.time()),
        }
        if options["file"]:
            message["media"] = _media(Path(options["file"]))
        raw = json.dumps({"event": "message", "message": message}).encode()
        url = f"{options['url'].rstrip('/')}/api/v1/webhooks/sandbox/{instance.webhook_secret}"
        try:
            response = requests.post(
                url,
                data=raw,
                headers={
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(instance.webhook_secret, raw),
                },
                timeout=30,
            )
        except requests.RequestException as exc:
            raise CommandError(f"Could not reach {options['url']}: {exc}") from None
        if response.status_code != 200:
            raise CommandError(f"The server answered {response.status_code}: {response.text}")
        self.stdout.write(f"Delivered {message['id']}: {response.text}")


def _demo_credentials() -> dict:
    # setup_demo (run by `make run`) records what it printed.
    try:
        return json.loads((settings.VAR_DIR / "demo-credentials.json").read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _demo_base_url() -> str:
    return _demo_credentials().get("baseUrl") or "http://127.0.0.1:8000"


def _media(path: Path) -> dict:
    if not path.is_file():
        raise CommandError(f"No file {path}.")
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    kind = _KIND_BY_MIME.get(mimetype.split("/")[0], "document")
    return {
        "kind": kind,
        "mimetype": mimetype,
        "filename": path.name,
        "base64": base64.b64encode(path.read_bytes()).decode(),
    }
