from django.contrib import admin

from accounts.admin_scope import OrganizationScopedAdmin, OrganizationScopedInline
from contacts.models import Contact, ContactTabulation, ContactWhatsAppId, Tabulation


class ContactTabulationInline(OrganizationScopedInline, admin.TabularInline):
    model = ContactTabulation
    extra = 0
    fields = ["tabulation", "added_by", "created_at"]
    readonly_fields = ["added_by", "created_at"]


class ContactWhatsAppIdInline(admin.TabularInline):
    model = ContactWhatsAppId
    extra = 0
    fields = ["wa_id", "created_at"]
    readonly_fields = ["wa_id", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(OrganizationScopedAdmin):
    list_display = ["__str__", "phone", "email", "bypass_bots", "organization", "created_at"]
    list_filter = ["bypass_bots", "organization"]
    search_fields = ["name", "phone", "email", "external_id"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ContactTabulationInline, ContactWhatsAppIdInline]


@admin.register(Tabulation)
class TabulationAdmin(OrganizationScopedAdmin):
    list_display = ["name", "background_color", "auto_tabulation", "is_active", "organization"]
    list_filter = ["is_active", "auto_tabulation", "organization"]
    search_fields = ["name", "description"]
