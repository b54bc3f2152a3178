"""Real media made on the spot: espeak-ng speech, ffmpeg video, Pillow, reportlab, python-docx."""

import io
import json
import subprocess
from pathlib import Path

SPEECH_TEXT = "Olá, eu gostaria de saber o horário de funcionamento da loja amanhã."


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def probe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        check=True,
        capture_output=True,
    ).stdout
    return json.loads(out)


def probe_bytes(data: bytes, folder: Path, name: str = "probe.bin") -> dict:
    path = folder / name
    path.write_bytes(data)
    return probe(path)


def duration(path: Path) -> float:
    return float(probe(path)["format"]["duration"])


def make_speech_wav(folder: Path) -> Path:
    path = folder / "speech.wav"
    run("espeak-ng", "-v", "pt-br", "-s", "150", "-w", str(path), SPEECH_TEXT)
    return path


def make_voice_note(wav: Path, folder: Path) -> Path:
    """OGG/Opus, mono 48 kHz: what WhatsApp records for a push-to-talk note."""
    path = folder / "voice.ogg"
    run("ffmpeg", "-y", "-v", "error", "-i", str(wav), "-c:a", "libopus", "-b:a", "24k",
        "-ac", "1", "-ar", "48000", str(path))  # fmt: skip
    return path


def make_3gp_audio(wav: Path, folder: Path) -> Path:
    """AAC in a 3GP container: old Android recorders; not a format the API takes."""
    path = folder / "recording.3gp"
    run("ffmpeg", "-y", "-v", "error", "-i", str(wav), "-c:a", "aac", "-b:a", "32k",
        "-ac", "1", "-ar", "16000", "-f", "3gp", str(path))  # fmt: skip
    return path


def make_video_with_speech(wav: Path, folder: Path) -> Path:
    path = folder / "video.mp4"
    seconds = f"{duration(wav):.2f}"
    run("ffmpeg", "-y", "-v", "error", "-f", "lavfi", "-i", f"color=c=blue:s=160x120:d={seconds}",
        "-i", str(wav), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-ar", "44100", "-ac", "2", "-shortest", str(path))  # fmt: skip
    return path


def make_silent_video(folder: Path) -> Path:
    path = folder / "silent.mp4"
    run("ffmpeg", "-y", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=160x120:d=2",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-an",
        str(path))  # fmt: skip
    return path


def make_png(text: str = "PROMO 50%", size=(320, 160)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((20, 60), text, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def make_animated_webp() -> bytes:
    from PIL import Image

    frames = [Image.new("RGBA", (128, 128), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="WEBP", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def make_text_pdf(pages: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for text in pages:
        pdf.drawString(72, 760, text)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_vector_only_pdf() -> bytes:
    """A floor plan drawn with paths: no text layer, no embedded image."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setLineWidth(4)
    pdf.rect(100, 400, 300, 200, fill=0)
    pdf.line(100, 500, 400, 500)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_scanned_pdf(pages: int = 1) -> bytes:
    """Each page one embedded image and no text layer, like a phone's "scan to PDF"."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for number in range(pages):
        image = ImageReader(io.BytesIO(make_png(f"Nota fiscal pagina {number + 1}")))
        pdf.drawImage(image, 72, 500, width=320, height=160)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Pedido de orçamento para a filial Centro.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Produto"
    table.cell(0, 1).text = "Quantidade"
    table.cell(1, 0).text = "Cadeira"
    table.cell(1, 1).text = "12"
    document.add_paragraph("Aguardo retorno.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
