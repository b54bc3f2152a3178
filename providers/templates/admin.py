"""The admin's templates page: what Meta approved, per instance, read-only, with a sync button.

Registered from ``providers.admin``; the sync is ``providers.templates.sync``,
as the API's.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.admin_scope import OrganizationScopedAdmin, scope_queryset
from core.errors import DomainError
from providers.models import Instance, MessageTemplate, Provider, TemplateStatus
from providers.templates.sync import templates_sync

STATUS_LABELS = dict(TemplateStatus.choices)


def template_status_badge(status: str) -> str:
    label = STATUS_LABELS.get(status, status)
    return format_html(
        '<span class="atd-badge atd-badge-{}" data-status="{}">{}</span>',
        status.lower(),
        status,
        label,
    )


@admin.register(MessageTemplate)
class MessageTemplateAdmin(OrganizationScopedAdmin):
    organization_path = "instance__organization"
    list_display = ["name", "language", "status_column", "category", "instance", "synced_at"]
    # Only the instances of the templates this user sees (never another organization's).
    list_filter = [("instance", admin.RelatedOnlyFieldListFilter), "status", "language", "category"]
    search_fields = ["name"]
    readonly_fields = [
        "instance",
        "name",
        "language",
        "status",
        "status_reason",
        "category",
        "parameter_format",
        "components",
        "provider_template_id",
        "synced_at",
    ]
    change_list_template = "admin/providers/messagetemplate/change_list.html"

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_column(self, template):
        return template_status_badge(template.status)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _cloud_instances(self, request):
        return scope_queryset(
            request,
            Instance.objects.filter(provider=Provider.CLOUDAPI, is_active=True),
            organization_path="organization",
        ).order_by("name")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "sync_instances": self._cloud_instances(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "sync/",
                self.admin_site.admin_view(require_POST(self.sync_view)),
                name="providers_messagetemplate_sync",
            ),
            *super().get_urls(),
        ]

    def sync_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            instance = (
                self._cloud_instances(request).filter(pk=request.POST.get("instance")).first()
            )
        except (ValueError, DjangoValidationError):
            instance = None
        back = reverse("admin:providers_messagetemplate_changelist")
        if instance is None:
            self.message_user(request, _("Pick a Cloud API instance."), messages.ERROR)
            return HttpResponseRedirect(back)
        try:
            result = templates_sync(instance=instance)
        except DomainError as exc:
            self.message_user(request, f"{instance.name}: {exc.message}", messages.ERROR)
        else:
            self.message_user(
                request,
                _("%(instance)s: %(total)s templates synced from Meta.")
                % {"instance": instance.name, "total": result.total},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(f"{back}?instance__id__exact={instance.pk}")
