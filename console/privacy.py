"""The contact page's LGPD buttons: erase the contact's data (after a
confirmation page asking why) and export it."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from console.actions import actor_for
from core.errors import DomainError
from privacy.models import ErasureSource, Export
from privacy.services.erasure import REASON_MAX, contact_erase
from privacy.services.export import export_is_downloadable, export_request


class ContactPrivacyMixin:
    """For the contact admin: the erase confirmation page and its action."""

    change_form_template = "admin/console/contact_change_form.html"

    def get_urls(self):
        return [
            path(
                "<uuid:contact_id>/erase/",
                self.admin_site.admin_view(self.erase_view),
                name="contacts_contact_erase",
            ),
            path(
                "<uuid:contact_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="contacts_contact_export",
            ),
            path(
                "<uuid:contact_id>/exports/<uuid:export_id>/download/",
                self.admin_site.admin_view(self.export_download_view),
                name="contacts_contact_export_download",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        exports = Export.objects.filter(contact_id=object_id).order_by("-created_at")[:5]
        extra_context = {
            **(extra_context or {}),
            "privacy_exports": [(e, export_is_downloadable(e)) for e in exports],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _viewable_contact_or_404(self, request, contact_id):
        contact = self.get_queryset(request).filter(pk=contact_id).first()
        if contact is None or not self.has_view_permission(request, contact):
            raise Http404
        return contact

    def export_view(self, request, contact_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        contact = self._viewable_contact_or_404(request, contact_id)
        export_request(contact=contact, requested_by=actor_for(request))
        messages.success(
            request,
            _("The export is being prepared; its download link appears on this page."),
        )
        return HttpResponseRedirect(reverse("admin:contacts_contact_change", args=[contact.pk]))

    def export_download_view(self, request, contact_id, export_id):
        contact = self._viewable_contact_or_404(request, contact_id)
        export = Export.objects.filter(pk=export_id, contact=contact).first()
        if export is None or not export_is_downloadable(export):
            raise Http404
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=f"atende-export-{export.pk}.zip",
            content_type="application/zip",
        )

    def _contact_or_404(self, request, contact_id):
        contact = self.get_queryset(request).filter(pk=contact_id).first()
        if contact is None or not self.has_delete_permission(request, contact):
            raise Http404
        return contact

    def erase_view(self, request, contact_id):
        contact = self._contact_or_404(request, contact_id)
        change_url = reverse("admin:contacts_contact_change", args=[contact.pk])
        reason = ""
        if request.method == "POST":
            reason = request.POST.get("reason", "").strip()
            try:
                erasure, created = contact_erase(
                    contact=contact,
                    reason=reason,
                    source=ErasureSource.CONSOLE,
                    requested_by=actor_for(request),
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                if created:
                    messages.success(request, _("The contact's data was erased."))
                else:
                    messages.info(request, _("This contact's data had already been erased."))
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase this contact's data (LGPD)"),
            "opts": self.model._meta,
            "original": contact,
            "change_url": change_url,
            "reason": reason,
            "reason_max": REASON_MAX,
            "sessions_count": contact.sessions.count(),
            "messages_count": contact.messages.count(),
        }
        return TemplateResponse(request, "admin/console/contact_erase.html", context)
