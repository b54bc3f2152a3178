"""Every word a console template shows is marked for translation.

A heuristic that catches the common slip (typing text straight into a
template): it removes what the template language marks or computes, then
looks for letters left in text or in the attributes people read.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The admin overrides, and the console's own pages.
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "console" / "templates"]
# Attributes a person reads (the rest are for code and CSS).
READ_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label", "label"}
# Names, not words: the same in every language.
NOT_WORDS = {"Webhook", "Atende"}

MARKED = [
    # CSS classes of <body>, not text.
    re.compile(r"{%\s*block bodyclass\s*%}.*?{%\s*endblock\s*%}", re.DOTALL),
    re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.DOTALL),
    re.compile(r"{#.*?#}", re.DOTALL),
    re.compile(r"{%.*?%}", re.DOTALL),
    re.compile(r"{{.*?}}", re.DOTALL),
]


class _Words(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES or (
                name == "value" and attributes.get("type") in {"submit", "button"}
            )
            if readable and value:
                self._check(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._check(data)

    def _check(self, text):
        text = text.strip()
        if re.search(r"[A-Za-z]{2,}", text) and text not in NOT_WORDS:
            self.found.append(text)


@pytest.mark.parametrize(
    "template",
    sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_a_console_template_shows_no_unmarked_words(template):
    source = template.read_text()
    for pattern in MARKED:
        source = pattern.sub(" ", source)
    parser = _Words()
    parser.feed(source)
    assert parser.found == [], f"wrap these in {{% translate %}}: {parser.found}"
