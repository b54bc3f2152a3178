from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranscriptionConfig(AppConfig):
    name = "transcription"
    verbose_name = _("Transcription")
