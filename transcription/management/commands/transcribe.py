"""``python manage.py transcribe <file>``: run a backend on a local file and print the text.

For operators checking their OpenAI setup (key, base URL, models) without
sending a WhatsApp message. The cache is bypassed so the model is really asked.
"""

import mimetypes
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from transcription.config import transcription_config
from transcription.errors import TranscriptionError
from transcription.results import SKIPPED
from transcription.services import transcribe

KINDS = ["audio", "voice", "video", "image", "sticker", "document"]


def guess_kind(mimetype: str) -> str:
    for prefix, kind in (("audio/", "audio"), ("video/", "video"), ("image/", "image")):
        if mimetype.startswith(prefix):
            return kind
    return "document"


class Command(BaseCommand):
    help = "Transcribe or describe a local media file with the configured backends."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=KINDS, help="Default: guessed from the file name.")
        parser.add_argument("--mimetype", default="", help="Default: guessed from the file name.")
        parser.add_argument("--language", default="pt", help="Language hint (default pt).")
        parser.add_argument("--audio-model", default="", help="Override the audio model.")
        parser.add_argument("--vision-model", default="", help="Override the vision model.")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        mimetype = options["mimetype"] or mimetypes.guess_type(path.name)[0] or ""
        kind = options["kind"] or guess_kind(mimetype)
        config = transcription_config(
            language=options["language"],
            overrides={
                "audioModel": options["audio_model"],
                "visionModel": options["vision_model"],
            },
        )
        try:
            result = transcribe(
                data=path.read_bytes(),
                kind=kind,
                mimetype=mimetype,
                filename=path.name,
                config=config,
                use_cache=False,
            )
        except TranscriptionError as exc:
            kind_of_error = "temporary" if exc.transient else "permanent"
            raise CommandError(f"Failed ({kind_of_error}): {exc.message}") from None
        if result.status == SKIPPED:
            raise CommandError(f"Skipped: {result.reason}")
        details = [f"kind={kind}", f"model={result.model}"]
        if result.language:
            details.append(f"language={result.language}")
        if result.duration is not None:
            details.append(f"duration={result.duration:.1f}s")
        if options["verbosity"] >= 2:
            self.stderr.write(" ".join(details))
        self.stdout.write(result.text)
