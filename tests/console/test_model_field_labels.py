"""Every model field the console can show has a translated label.

The admin builds form labels, list columns and filter titles from a field's
``verbose_name`` and ``help_text``; one left as plain English (or derived
from the attribute name) shows English in the Portuguese console. A new
field needs ``verbose_name=_("…")`` (gettext_lazy), its help text ``_()``,
and both in locale/pt_BR (``make messages``).
"""

import pytest
from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import override

PROJECT_APPS = [
    "accounts",
    "contacts",
    "providers",
    "sessions_app",
    "messaging",
    "integrations",
    "transcription",
    "assistant",
    "core",
]

# Labels written the same way in both languages.
SAME_IN_PORTUGUESE = {"ID", "URL", "QR code", "SHA-256"}


def project_fields():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                # Reverse relations and Django's own implicit primary keys
                # are not declared here.
                if field.auto_created or not (field.concrete or field.many_to_many):
                    continue
                yield pytest.param(field, id=f"{model._meta.label}.{field.name}")


FIELDS = list(project_fields())


def test_the_project_has_fields():
    assert len(FIELDS) > 200


@pytest.mark.parametrize("field", FIELDS)
def test_verbose_name_is_a_lazy_translation(field):
    assert isinstance(field.verbose_name, Promise), (
        f"{field.model._meta.label}.{field.name}: verbose_name={field.verbose_name!r} "
        'is not marked; use verbose_name=_("…") with gettext_lazy'
    )
    with override("en"):
        english = str(field.verbose_name)
    assert english == english.strip() and english, field
    with override("pt-br"):
        portuguese = str(field.verbose_name)
    if english not in SAME_IN_PORTUGUESE:
        assert portuguese != english, (
            f"{field.model._meta.label}.{field.name}: {english!r} has no pt_BR translation "
            "(run make messages and translate it)"
        )


@pytest.mark.parametrize("field", [f for f in FIELDS if f.values[0].help_text])
def test_help_text_is_a_lazy_translation(field):
    assert isinstance(field.help_text, Promise), (
        f"{field.model._meta.label}.{field.name}: help_text={field.help_text!r} is not marked"
    )
    with override("en"):
        english = str(field.help_text)
    with override("pt-br"):
        assert str(field.help_text) != english, field
