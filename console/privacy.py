"""The contact page's LGPD buttons: erase the contact's data (after a
confirmation page asking why) and export it."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from console.actions import actor_for
from core.errors import DomainError
from privacy.models import ErasureSource
from privacy.services.erasure import REASON_MAX, contact_erase


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
            *super().get_urls(),
        ]

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
