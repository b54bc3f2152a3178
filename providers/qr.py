"""Pairing QR codes: gateways send either an image (a data URI) or the raw
pairing string (Baileys bridges, some gateway versions). People and
integrators need an image either way."""

import segno


class QrTooLong(ValueError):
    """More data than a QR code holds: not a pairing string."""


def is_image(code: str) -> bool:
    return code.startswith("data:image/")


def _make(code: str):
    try:
        return segno.make(code, error="l")
    except segno.DataOverflowError as exc:
        raise QrTooLong(str(exc)) from None


def qr_svg(code: str) -> str:
    """Inline SVG markup for a raw pairing string. The string is encoded in
    the modules, never written into the markup as text. Black on white
    whatever the page's theme: a phone cannot scan a dark-mode QR."""
    return _make(code).svg_inline(scale=4, border=2, omitsize=False, dark="#000", light="#fff")


def qr_image_uri(code: str) -> str:
    """The code as an image data URI: as given when it is one, else a PNG of it."""
    if not code or is_image(code):
        return code
    return _make(code).png_data_uri(scale=5, border=2)
