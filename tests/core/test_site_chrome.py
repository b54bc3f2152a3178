"""What a browser asks of any page: an icon; and the console links nowhere dead."""

from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

from tests.support.console import login


def test_favicon_is_served_from_the_static_files(client, tmp_path):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301
    with override_settings(STATIC_ROOT=tmp_path, DEBUG=False, WHITENOISE_AUTOREFRESH=False):
        call_command("collectstatic", "--noinput", verbosity=0)
        served = WhiteNoiseMiddleware(lambda request: None)(RequestFactory().get(answer.url))
    assert served is not None and served.status_code == 200
    assert served["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}


def test_the_console_has_no_view_site_link(agent):
    assert admin.site.site_url is None
    body = login(agent, language=None).get("/admin/").content.decode()
    assert "Ver o site" not in body and "View site" not in body
    assert 'rel="icon"' in body
