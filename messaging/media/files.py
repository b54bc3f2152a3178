"""A message's media file: fetched from the gateway and stored once, served to
the API and the console.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os

from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.text import get_valid_filename

from messaging.models import NON_WHATSAPP_IMAGE_TYPES, Message
from providers.registry import get_adapter

logger = logging.getLogger(__name__)


# Where mimetypes' first guess is not what people expect to see.
_EXTENSIONS = {"audio/ogg": ".ogg", "audio/mpeg": ".mp3", "image/jpeg": ".jpg"}

# Shown in the browser when opened; anything else downloads.
INLINE_MEDIA_PREFIXES = ("image/", "audio/", "video/")


def stored_media_response(message: Message):
    """A message's stored file, for the console and the API (the caller has
    checked that the requester may see it). Never rendered as our page: SVG and
    HTML download, and the sandbox CSP applies to whatever opens inline."""
    if message.deleted_at is not None:
        raise Http404("Deleted by its sender.")
    if not message.media_file:
        raise Http404("No stored media.")
    mimetype = (
        message.media_mimetype.split(";")[0].strip()
        or mimetypes.guess_type(message.media_file.name)[0]
        or "application/octet-stream"
    )
    inline = mimetype.startswith(INLINE_MEDIA_PREFIXES) and mimetype not in NON_WHATSAPP_IMAGE_TYPES
    inline = inline or mimetype == "application/pdf"
    filename = message.media_filename or message.media_file.name.rsplit("/", 1)[-1]
    try:
        handle = message.media_file.open("rb")
    except FileNotFoundError:
        raise Http404("Media file missing.") from None
    response = FileResponse(
        handle, content_type=mimetype, as_attachment=not inline, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def media_filename(message: Message, downloaded_name: str, mimetype: str) -> str:
    name = os.path.basename(message.media_filename or downloaded_name or "")
    name = get_valid_filename(name)[-120:] if name else ""
    if not name:
        bare = (mimetype or "").split(";")[0].strip().lower()
        extension = _EXTENSIONS.get(bare) or mimetypes.guess_extension(bare) or ".bin"
        name = f"{message.kind}{extension}"
    return name


def media_bytes(message: Message, max_bytes: int) -> bytes:
    """The stored copy when there is one (a retry), else a download through the adapter."""
    if message.media_file:
        try:
            with message.media_file.open("rb") as stored:
                return stored.read()
        except OSError:
            logger.warning("stored media of %s is gone: downloading it again", message.pk)
    # Only the adapter fetches media, from the provider's own reference:
    # never a URL taken from the webhook payload.
    downloaded = get_adapter(message.instance).download_media(
        message.media_ref, max_bytes=max_bytes
    )
    data = downloaded.data
    mimetype = message.media_mimetype or downloaded.mimetype
    message.media_file.save(
        media_filename(message, downloaded.filename, mimetype), ContentFile(data), save=False
    )
    message.media_sha256 = hashlib.sha256(data).hexdigest()
    message.media_size = len(data)
    message.media_mimetype = mimetype[:120]
    message.media_filename = message.media_filename or downloaded.filename[:255]
    message.updated_at = timezone.now()
    message.save(
        update_fields=[
            "media_file",
            "media_sha256",
            "media_size",
            "media_mimetype",
            "media_filename",
            "updated_at",
        ]
    )
    return data
