"""ffprobe/ffmpeg wrappers: probe a media file, extract or convert its audio.

Media comes from strangers, so ffmpeg only reads local files
(``-protocol_whitelist file``) and only containers on an allow-list: playlist
and concat demuxers can make ffmpeg open other paths or URLs.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from transcription.errors import PermanentTranscriptionError

# ffprobe ``format_name`` values we are willing to decode.
ALLOWED_CONTAINERS = frozenset(
    {
        "ogg",
        "mp3",
        "wav",
        "w64",
        "flac",
        "aac",
        "amr",
        "caf",
        "aiff",
        "mov,mp4,m4a,3gp,3g2,mj2",
        "matroska,webm",
        "avi",
        "asf",
        "mpeg",
        "mpegts",
        "flv",
    }
)

# (container, codec) pairs the OpenAI transcription endpoint takes as they are,
# with the file extension it needs to see: the API picks the decoder from the
# upload's name (https://platform.openai.com/docs/guides/speech-to-text: flac,
# mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm). AMR and 3GP are not on the list.
_UPLOADABLE = {
    ("ogg", "opus"): "ogg",
    ("ogg", "vorbis"): "ogg",
    ("mp3", "mp3"): "mp3",
    ("flac", "flac"): "flac",
    ("wav", "pcm_s16le"): "wav",
    ("mov,mp4,m4a,3gp,3g2,mj2", "aac"): "m4a",
}


@dataclass(frozen=True)
class ProbeInfo:
    format_name: str
    duration: float | None
    audio_codecs: list[str] = field(default_factory=list)
    video_codecs: list[str] = field(default_factory=list)
    major_brand: str = ""

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codecs)

    def upload_extension(self) -> str | None:
        """The extension to upload this file under unchanged, or None to convert it first."""
        if self.video_codecs or len(self.audio_codecs) != 1:
            return None
        if self.major_brand.startswith("3g"):  # 3GP/3G2 files share the mp4 demuxer
            return None
        return _UPLOADABLE.get((self.format_name, self.audio_codecs[0]))


def _run(args: list[str], *, timeout: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise PermanentTranscriptionError(f"{args[0]} took longer than {timeout:.0f}s") from None
    except FileNotFoundError:
        raise PermanentTranscriptionError(f"{args[0]} is not installed") from None


def _stderr_tail(result: subprocess.CompletedProcess) -> str:
    text = result.stderr.decode(errors="replace").strip()
    return text.splitlines()[-1][:300] if text else f"exit code {result.returncode}"


def probe(path: Path, *, timeout: float) -> ProbeInfo:
    """Read the container and streams; unreadable or unexpected files are permanent errors."""
    result = _run(
        [
            "ffprobe",
            "-v",
            "error",
            "-protocol_whitelist",
            "file",
            "-show_format",
            "-show_streams",
            "-of",
            "json",
            "-i",
            str(path),
        ],
        timeout=timeout,
    )
    if result.returncode != 0:
        raise PermanentTranscriptionError(f"unreadable or corrupt media ({_stderr_tail(result)})")
    try:
        info = json.loads(result.stdout or b"{}")
    except ValueError:
        raise PermanentTranscriptionError("unreadable or corrupt media") from None
    fmt = info.get("format") or {}
    format_name = fmt.get("format_name", "")
    if format_name not in ALLOWED_CONTAINERS:
        raise PermanentTranscriptionError(f"unsupported media container {format_name or '?'}")
    streams = info.get("streams") or []
    # Cover art in mp3/m4a is a one-frame "video" stream: not a video.
    video = [
        s.get("codec_name", "")
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    try:
        duration = float(fmt["duration"])
    except (KeyError, TypeError, ValueError):
        duration = None
    return ProbeInfo(
        format_name=format_name,
        duration=duration,
        audio_codecs=[s.get("codec_name", "") for s in streams if s.get("codec_type") == "audio"],
        video_codecs=video,
        major_brand=(fmt.get("tags") or {}).get("major_brand", "").strip().lower(),
    )


def extract_audio(source: Path, target: Path, *, timeout: float) -> None:
    """Write the first audio track as mono 16 kHz MP3 (Whisper's native rate, small upload)."""
    result = _run(
        [
            "ffmpeg",
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-protocol_whitelist",
            "file",
            "-i",
            str(source),
            "-map",
            "0:a:0",
            "-vn",
            "-ac",
            "1",
            "-ar",
            "16000",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "32k",
            str(target),
        ],
        timeout=timeout,
    )
    if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise PermanentTranscriptionError(f"could not decode the audio ({_stderr_tail(result)})")
