"""`make run`'s demo gives the console's reply box canned responses to show."""

from io import StringIO

import pytest
from django.core.management import call_command

from canned.models import CannedResponse
from canned.variables import unknown_variables
from messaging.management.commands import setup_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_two_canned_responses_once(monkeypatch, tmp_path, settings):
    settings.OPENAI_BASE_URL = ""
    monkeypatch.setattr(setup_demo, "CREDENTIALS_FILE", tmp_path / "demo.json")
    out = StringIO()
    call_command("setup_demo", stdout=out)
    call_command("setup_demo", stdout=StringIO())
    codes = sorted(CannedResponse.objects.values_list("short_code", flat=True))
    assert codes == ["encerramento", "saudacao"]
    assert all(not unknown_variables(c.content) for c in CannedResponse.objects.all())
    assert "/saudacao" in out.getvalue()
