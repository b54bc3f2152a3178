"""An export's memory stays flat: a large contact costs about what a small one does.

Measured as the peak RSS of a separate process running ``export_contact``
(no timing involved): the archive is streamed row by row and chunk by chunk,
so 64 MB of media and thousands of messages must not show up in memory.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from messaging.models import Direction, Message, MessageKind
from tests.support import factories
from tests.support.worker import ROOT, worker_env

MEDIA_FILES = 32
MEDIA_FILE_BYTES = 2 * 1024 * 1024
MESSAGES = 5000

MEASURE = """
import resource, sys
import django
django.setup()
from django.core.management import call_command
call_command("export_contact", sys.argv[1])
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_rss_kb(contact_id, media_root: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(contact_id)],
        cwd=ROOT,
        env=worker_env({"MEDIA_ROOT": media_root}),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("PEAK_KB"))
    return int(line.split()[1])


def _contact_with(organization, instance, media_root: Path, *, messages: int, media: int):
    contact = factories.make_contact(organization)
    session = factories.make_session(contact=contact, instance=instance)
    rows = [
        Message(
            organization=organization,
            session=session,
            contact=contact,
            instance=instance,
            direction=Direction.INBOUND,
            author="CUSTOMER",
            kind=MessageKind.TEXT,
            text=f"mensagem {n} " + "texto de exemplo " * 12,
        )
        for n in range(messages)
    ]
    for n in range(media):
        name = f"media/bench/{contact.pk}/{n}.bin"
        path = media_root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            for _ in range(MEDIA_FILE_BYTES // (1024 * 1024)):
                handle.write(os.urandom(1024 * 1024))
        rows.append(
            Message(
                organization=organization,
                session=session,
                contact=contact,
                instance=instance,
                direction=Direction.INBOUND,
                author="CUSTOMER",
                kind=MessageKind.DOCUMENT,
                media_file=name,
                media_filename=f"arquivo-{n}.pdf",
                media_mimetype="application/pdf",
                media_size=MEDIA_FILE_BYTES,
            )
        )
    Message.objects.bulk_create(rows, batch_size=1000)
    return contact


@pytest.mark.worker  # separate processes, and 64 MB of files
def test_a_large_export_takes_about_the_memory_of_a_small_one(
    transactional_db, organization, instance, settings
):
    media_root = Path(settings.MEDIA_ROOT)
    small = _contact_with(organization, instance, media_root, messages=10, media=1)
    large = _contact_with(organization, instance, media_root, messages=MESSAGES, media=MEDIA_FILES)

    small_kb = _peak_rss_kb(small.pk, settings.MEDIA_ROOT)
    large_kb = _peak_rss_kb(large.pk, settings.MEDIA_ROOT)

    media_kb = MEDIA_FILES * MEDIA_FILE_BYTES // 1024
    # Holding the media (64 MB) or the messages in memory would show; a few
    # MB of cursor batches and zip buffers is what streaming costs.
    assert large_kb - small_kb < media_kb // 4, (small_kb, large_kb)
