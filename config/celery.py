import os

from celery import Celery
from celery.signals import task_prerun
from django.utils import translation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("atende")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _stored_texts_in_english(**kwargs) -> None:
    # Tasks write texts that are stored (timeline events, errors) and have no
    # reader to pick a language for: stored texts are English and translated
    # where they are shown. Without this, a lazy string would follow
    # LANGUAGE_CODE (pt-br).
    translation.activate("en")
