from django.contrib import admin

from transcription.models import TranscriptionCache


@admin.register(TranscriptionCache)
class TranscriptionCacheAdmin(admin.ModelAdmin):
    """Shared across organizations (keyed by content hash): superusers only."""

    list_display = ["sha256", "model", "language", "created_at"]
    search_fields = ["sha256"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
