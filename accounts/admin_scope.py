"""Organization scoping for every admin page.

Superusers see everything. An agent (staff user with an ``Agent``
membership) sees and edits only rows of their organization, and can pick
only their organization's rows in foreign-key fields. Staff without a
membership see nothing.
"""

from django.contrib import admin

from accounts.selectors import agent_for_user


def organization_of(request):
    agent = agent_for_user(request.user)
    return agent.organization if agent else None


class OrganizationScopedAdmin(admin.ModelAdmin):
    # ORM path from this model to its Organization.
    organization_path = "organization"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        organization = organization_of(request)
        if organization is None:
            return queryset.none()
        return queryset.filter(**{self.organization_path: organization})

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if not request.user.is_superuser:
            filters = [f for f in filters if f != self.organization_path]
        return filters

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.organization_path == "organization":
            exclude.append("organization")
        return exclude

    def save_model(self, request, obj, form, change):
        if (
            not change
            and not request.user.is_superuser
            and self.organization_path == "organization"
        ):
            obj.organization = organization_of(request)
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        self._scope_choices(field, request)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        self._scope_choices(field, request)
        return field

    def _scope_choices(self, field, request):
        if field is None or request.user.is_superuser:
            return
        organization = organization_of(request)
        model = field.queryset.model
        if model._meta.label == "accounts.Organization":
            field.queryset = field.queryset.filter(pk=getattr(organization, "pk", None))
        elif any(f.name == "organization" for f in model._meta.fields):
            field.queryset = field.queryset.filter(organization=organization)

    def has_module_permission(self, request):
        if not request.user.is_superuser and organization_of(request) is None:
            return False
        return super().has_module_permission(request)


class OrganizationScopedInline:
    """Mixin for inlines: scopes their foreign-key choices the same way."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and not request.user.is_superuser:
            organization = organization_of(request)
            model = field.queryset.model
            if any(f.name == "organization" for f in model._meta.fields):
                field.queryset = field.queryset.filter(organization=organization)
        return field
