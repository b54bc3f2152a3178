from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy

from accounts.admin_scope import (
    OrganizationScopedInline,
    ServiceSavedAdmin,
    scope_queryset,
)
from contacts.models import Contact, ContactTabulation, ContactWhatsAppId, Tabulation
from contacts.phones import phone_display
from contacts.services import (
    CONTACT_EDITABLE_FIELDS,
    TABULATION_EDITABLE_FIELDS,
    contact_create,
    contact_phone_update,
    contact_update,
    tabulation_create,
    tabulation_update,
)


def readable_text_color(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (#rrggbb)."""
    value = (background or "").lstrip("#")
    if len(value) != 6:
        return "#000000"
    try:
        red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return "#000000"
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "#000000" if luminance > 150 else "#ffffff"


def tag_chip(tabulation) -> str:
    color = tabulation.background_color or "#e0e0e0"
    return format_html(
        '<span class="atd-chip" style="background:{};color:{}">{}</span>',
        color,
        readable_text_color(color),
        tabulation.name,
    )


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


class PhoneSearchMixin:
    """Admin search that also finds a phone typed the way people write it:
    "+55 (11) 98765-4321" finds 5511987654321."""

    phone_search_field = "phone"

    def get_search_results(self, request, queryset, search_term):
        digits = "".join(ch for ch in search_term if ch.isdigit())
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if len(digits) >= 4 and digits != search_term:
            # Narrow the queryset the changelist already filtered (status,
            # tags, scoping), never OR in a fresh one.
            found = queryset.filter(
                Q(pk__in=found.values("pk")) | Q(**{f"{self.phone_search_field}__contains": digits})
            )
        return found, may_have_duplicates


@admin.register(Contact)
class ContactAdmin(PhoneSearchMixin, ServiceSavedAdmin):
    list_display = [
        "__str__",
        "phone_column",
        "email",
        "bypass_bots",
        "tags_column",
        "organization",
        "created_at",
    ]
    list_filter = ["bypass_bots", "tabulations", "organization"]
    search_fields = ["name", "phone", "email", "external_id"]
    readonly_fields = ["source_instance", "created_at", "updated_at"]
    inlines = [ContactTabulationInline, ContactWhatsAppIdInline]
    service_fields = ("phone", *CONTACT_EDITABLE_FIELDS)

    def create_through_service(self, obj, data):
        return contact_create(organization=obj.organization, **data)

    def update_through_service(self, obj, data):
        if "phone" in data:
            contact_phone_update(contact=obj, phone=data.pop("phone"))
        contact_update(contact=obj, **data)

    class Media:
        css = {"all": ["atende/console.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("contact_tabulations__tabulation")

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if not request.user.is_superuser:
            # The tag filter lists every organization's tags; agents get theirs.
            filters = [TagFilter if f == "tabulations" else f for f in filters]
        return filters

    @admin.display(description=gettext_lazy("phone"), ordering="phone")
    def phone_column(self, contact):
        return phone_display(contact.phone)

    @admin.display(description=gettext_lazy("tags"))
    def tags_column(self, contact):
        return format_html_join(
            "", "{}", ((tag_chip(link.tabulation),) for link in contact.contact_tabulations.all())
        )


class TagFilter(admin.SimpleListFilter):
    title = gettext_lazy("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        queryset = scope_queryset(
            request, Tabulation.objects.all(), organization_path="organization"
        )
        return [(str(tag.pk), tag.name) for tag in queryset]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        allowed = {value for value, _ in self.lookup_choices}
        if self.value() not in allowed:
            return queryset.none()
        return queryset.filter(tabulations=self.value()).distinct()


@admin.register(Tabulation)
class TabulationAdmin(ServiceSavedAdmin):
    list_display = ["chip", "background_color", "auto_tabulation", "is_active", "organization"]
    list_filter = ["is_active", "auto_tabulation", "organization"]
    search_fields = ["name", "description"]
    service_fields = TABULATION_EDITABLE_FIELDS

    def create_through_service(self, obj, data):
        return tabulation_create(organization=obj.organization, **data)

    def update_through_service(self, obj, data):
        tabulation_update(tabulation=obj, **data)

    class Media:
        css = {"all": ["atende/console.css"]}

    @admin.display(description=gettext_lazy("name"), ordering="name")
    def chip(self, tabulation):
        return tag_chip(tabulation)
