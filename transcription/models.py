from django.db import models
from django.utils.translation import gettext_lazy as _


class TranscriptionCache(models.Model):
    """Text already produced for some media bytes.

    Keyed by the bytes' SHA-256 and what was asked of the model (kind,
    model, prompt/language), so the same file forwarded to ten customers
    costs one model call.
    """

    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    variant = models.CharField(
        max_length=64, help_text=_("Hash of kind, model and prompt."), verbose_name=_("variant")
    )
    text = models.TextField(verbose_name=_("text"))
    model = models.CharField(max_length=100, blank=True, verbose_name=_("model"))
    language = models.CharField(max_length=8, blank=True, verbose_name=_("language"))
    duration = models.FloatField(null=True, blank=True, verbose_name=_("duration"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("transcription cache entry")
        verbose_name_plural = _("transcription cache entries")
        constraints = [
            models.UniqueConstraint(fields=["sha256", "variant"], name="transcription_cache_key")
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… {self.model}"
