from django.db import models
from django.utils.translation import gettext_lazy as _


class TranscriptionCache(models.Model):
    """Text already produced for some media bytes.

    Keyed by the bytes' SHA-256 and what was asked of the model (kind,
    model, prompt/language), so the same file forwarded to ten customers
    costs one model call.
    """

    sha256 = models.CharField(max_length=64)
    variant = models.CharField(max_length=64, help_text="Hash of kind, model and prompt.")
    text = models.TextField()
    model = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=8, blank=True)
    duration = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transcription cache entry")
        verbose_name_plural = _("transcription cache entries")
        constraints = [
            models.UniqueConstraint(fields=["sha256", "variant"], name="transcription_cache_key")
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… {self.model}"
