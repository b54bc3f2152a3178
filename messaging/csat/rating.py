"""Whether a customer's message is a 1-to-5 rating, and what they added.

A rating is the first thing in the message: a digit ("5", "4/5", "nota 3",
"5 de 5"), a Portuguese number word ("cinco", "uma") or one to five stars
("⭐⭐⭐⭐"). What follows after punctuation ("5 - adorei", "4, demorou um
pouco") is the comment. A number followed straight by words ("5 minutos",
"um momento") is not a rating: it is a new conversation.
"""

from __future__ import annotations

import re

WORDS = {
    "um": 1,
    "uma": 1,
    "dois": 2,
    "duas": 2,
    "três": 3,
    "tres": 3,
    "quatro": 4,
    "cinco": 5,
}
STARS = "⭐🌟★"

_RATING = re.compile(
    r"^(?:nota\s*)?"
    rf"(?P<value>[1-5](?![0-9])|{'|'.join(sorted(WORDS, key=len, reverse=True))}|[{STARS}]+)"
    r"(?:\s*(?:/|de)\s*5)?"
    r"(?:\s*estrelas?)?"
    r"(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_SEPARATOR = re.compile(r"^\s*[-–—,.;:!?\n]+\s*")
_ONLY_PUNCTUATION = re.compile(r"^[\s\-–—,.;:!?]*$")


def csat_rating_parse(text: str) -> tuple[int, str] | None:
    """(rating 1-5, comment) when ``text`` is a rating, else None."""
    # Emoji come with a variation selector (U+FE0F) on most phones.
    text = (text or "").replace("\ufe0f", "").strip()
    match = _RATING.match(text)
    if match is None:
        return None
    value = match.group("value").lower()
    if value[0] in STARS:
        if len(value) > 5:
            return None
        rating = len(value)
    else:
        rating = int(value) if value.isdigit() else WORDS.get(value)
    if rating is None:
        return None
    rest = match.group("rest")
    if _ONLY_PUNCTUATION.match(rest):
        return rating, ""
    separator = _SEPARATOR.match(rest)
    if separator is not None:
        return rating, rest[separator.end() :].strip()[:1000]
    if value[0] in STARS and rest[:1].isspace():
        return rating, rest.strip()[:1000]
    return None
