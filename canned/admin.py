from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy

from accounts.admin_scope import ServiceSavedAdmin
from canned.models import CannedResponse
from canned.services import CANNED_EDITABLE_FIELDS, canned_create, canned_update


@admin.register(CannedResponse)
class CannedResponseAdmin(ServiceSavedAdmin):
    list_display = ["__str__", "content_column", "department", "organization", "updated_at"]
    list_filter = ["organization"]
    search_fields = ["short_code", "content"]
    service_fields = CANNED_EDITABLE_FIELDS

    def create_through_service(self, obj, data):
        return canned_create(organization=obj.organization, **data)

    def update_through_service(self, obj, data):
        canned_update(canned=obj, **data)

    @admin.display(description=gettext_lazy("content"))
    def content_column(self, canned):
        return Truncator(canned.content).chars(80)
