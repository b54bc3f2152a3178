"""/api/docs works on a network with no internet: Swagger UI's files are
bundled (drf-spectacular-sidecar) and served by the project's static files."""

import re
from urllib.parse import urlsplit

from django.core.management import call_command
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient
from whitenoise.middleware import WhiteNoiseMiddleware


def _references(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r'url:\s*"([^"]+)"', html)


def test_docs_page_names_no_other_host(db):
    response = APIClient().get("/api/docs")
    assert response.status_code == 200
    references = _references(response.content.decode())
    assert references
    assert all(not urlsplit(ref).netloc for ref in references), references
    assert not re.search(r"https?://", response.content.decode())


def test_docs_assets_are_served_after_collectstatic(db, tmp_path):
    html = APIClient().get("/api/docs").content.decode()
    assets = [ref for ref in _references(html) if ref.startswith("/static/")]
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in assets), assets
    with override_settings(STATIC_ROOT=tmp_path, DEBUG=False, WHITENOISE_AUTOREFRESH=False):
        call_command("collectstatic", "--noinput", verbosity=0)
        served = WhiteNoiseMiddleware(lambda request: None)
        for asset in assets:
            answer = served(RequestFactory().get(asset))
            assert answer is not None and answer.status_code == 200, asset
