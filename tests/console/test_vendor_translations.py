"""django-celery-beat's admin speaks Portuguese from locale_vendor/.

The package ships no pt_BR catalogue; ours holds every msgid of its es one
(refresh it when the package is upgraded: see the .po's header).
"""

import gettext
import shutil
import subprocess
from pathlib import Path

import django_celery_beat
import pytest
from django.conf import settings
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.console.test_translation_catalogue import msgids
from tests.support.console import login

ROOT = Path(__file__).resolve().parents[2]
VENDOR_PO = ROOT / "locale_vendor" / "pt_BR" / "LC_MESSAGES" / "django.po"
VENDOR_MO = VENDOR_PO.with_suffix(".mo")
BEAT_ES_PO = (
    Path(django_celery_beat.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "django.po"
)


def vendor_catalogue() -> dict:
    with VENDOR_MO.open("rb") as mo:
        return gettext.GNUTranslations(mo)._catalog


def test_locale_vendor_comes_after_the_projects_own_catalogue():
    assert [Path(p).name for p in settings.LOCALE_PATHS] == ["locale", "locale_vendor"]


def test_every_msgid_of_the_packages_catalogue_is_translated():
    catalogue = vendor_catalogue()
    untranslated = sorted(
        msgid
        for msgid in msgids(BEAT_ES_PO)
        if not (catalogue.get(msgid) or catalogue.get((msgid, 0)))
    )
    assert not untranslated, f"add them to {VENDOR_PO.relative_to(ROOT)}: {untranslated}"


def test_plural_entries_have_every_form():
    catalogue = vendor_catalogue()
    plurals = {key[0] for key in catalogue if isinstance(key, tuple)}
    assert plurals, "django-celery-beat's actions report counts with ngettext"
    for msgid in plurals:
        assert catalogue.get((msgid, 0)) and catalogue.get((msgid, 1)), msgid


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_the_committed_mo_is_the_compiled_po(tmp_path):
    fresh = tmp_path / "django.mo"
    out = subprocess.run(
        ["msgfmt", "--check", "-o", str(fresh), str(VENDOR_PO)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    with fresh.open("rb") as compiled:
        assert vendor_catalogue() == gettext.GNUTranslations(compiled)._catalog, (
            "run `make messages` and commit locale_vendor/"
        )


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")


@pytest.fixture
def cleanup_task(db):
    every_15_seconds, _ = IntervalSchedule.objects.get_or_create(
        every=15, period=IntervalSchedule.SECONDS
    )
    return PeriodicTask.objects.create(
        name="limpeza-de-teste", task="core.tasks.heartbeat", interval=every_15_seconds
    )


def test_the_periodic_task_list_is_in_portuguese(superuser, cleanup_task):
    body = (
        login(superuser, language=None)  # the console's default: pt-br
        .get(reverse("admin:django_celery_beat_periodictask_changelist"))
        .content.decode()
    )
    assert '<html lang="pt-br"' in body
    assert "Tarefas periódicas" in body  # the app and verbose_name_plural
    assert "Selecione tarefa periódica para modificar" in body  # verbose_name
    assert "Habilitar as tarefas selecionadas" in body  # an action
    assert "Data e hora da última execução" in body  # a column
    assert "a cada 15 segundos" in body  # the interval's text
    assert "periodic task" not in body.lower()
    assert "Enable selected tasks" not in body


def test_an_action_reports_its_count_in_portuguese(superuser, cleanup_task):
    cleanup_task.enabled = False
    cleanup_task.save()
    response = login(superuser, language=None).post(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        {"action": "enable_tasks", "_selected_action": [cleanup_task.pk]},
        follow=True,
    )
    assert "1 tarefa habilitada com sucesso" in response.content.decode()
