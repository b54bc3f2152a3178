from django.contrib import admin

from accounts.admin_scope import OrganizationScopedAdmin
from privacy.models import Erasure


@admin.register(Erasure)
class ErasureAdmin(OrganizationScopedAdmin):
    """The record of erasures: read-only, as proof the requests were honoured."""

    list_display = ["created_at", "contact", "source", "requested_by", "reason"]
    list_filter = ["source"]
    readonly_fields = [
        "organization",
        "contact",
        "source",
        "requested_by",
        "reason",
        "counts",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
