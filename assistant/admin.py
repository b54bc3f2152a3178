"""Console pages: assistants (with their knowledge documents) and their runs.

The model server's key is write-only here too: the form never shows it, and
leaving the field blank keeps the one stored.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import OrganizationScopedAdmin
from assistant.models import Assistant, AssistantRun, KnowledgeDocument
from assistant.services import ASSISTANT_EDITABLE_FIELDS, document_create
from core.errors import DomainError


class AssistantForm(forms.ModelForm):
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "The model server's key. Never shown; leave blank to keep the current one "
            "(or to use the server's OPENAI_API_KEY)."
        ),
    )
    document = forms.FileField(
        label=_("Add a knowledge document"),
        required=False,
        help_text=_("PDF, DOCX, TXT or MD. Its text is searched for every customer question."),
    )

    class Meta:
        model = Assistant
        fields = ["organization", *ASSISTANT_EDITABLE_FIELDS]

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload is None:
            return None
        return {
            "data": upload.read(),
            "filename": upload.name or "",
            "mimetype": getattr(upload, "content_type", "") or "",
        }


class KnowledgeDocumentInline(admin.TabularInline):
    model = KnowledgeDocument
    fields = ["title", "filename", "status", "chars", "chunks_count", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = True
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assistant)
class AssistantAdmin(OrganizationScopedAdmin):
    form = AssistantForm
    list_display = ["name", "model", "base_url", "is_active", "organization", "updated_at"]
    list_filter = ["is_active", "organization"]
    search_fields = ["name", "model"]
    inlines = [KnowledgeDocumentInline]
    readonly_fields = ["has_api_key"]

    @admin.display(description=_("API key set"), boolean=True)
    def has_api_key(self, assistant):
        return bool(assistant.api_key)

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "has_api_key"]
        if not self.has_change_permission(request, obj):
            # A read-only page would print the key's value.
            fields = [f for f in fields if f not in ("api_key", "document")]
        return [*fields, "has_api_key"]

    def save_model(self, request, obj, form, change):
        if change and not form.cleaned_data.get("api_key"):
            # Blank keeps the stored key: the form never shows it.
            obj.api_key = Assistant.objects.values_list("api_key", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        document = form.cleaned_data.get("document")
        if document:
            try:
                created = document_create(assistant=obj, **document)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Document “%(title)s” added (%(chunks)d passages).")
                    % {"title": created.title, "chunks": created.chunks_count},
                )


@admin.register(AssistantRun)
class AssistantRunAdmin(OrganizationScopedAdmin):
    """What each answered turn cost and did: read only."""

    list_display = [
        "started_at",
        "assistant",
        "status",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "latency_ms",
        "organization",
    ]
    list_filter = ["status", "organization"]
    readonly_fields = [
        "assistant",
        "session",
        "turn",
        "status",
        "reason",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "latency_ms",
        "model_calls",
        "tool_calls",
        "chunk_ids",
        "reply_message",
        "started_at",
        "finished_at",
    ]
    exclude = ["organization"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
