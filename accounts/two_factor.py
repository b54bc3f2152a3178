"""A second factor for the console's sign-in: a code from an authenticator app (TOTP).

Any user may set one up at ``/admin/two-factor/``; from then on the sign-in
form asks for the code as well as the password (django-otp's TOTP devices
verify it, throttling wrong guesses). An organization may require it
(``Organization.require_two_factor``): its agents without one are sent to
that page before any other console page.
"""

from io import BytesIO

import segno
from django import forms
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Agent

SETUP_PATH = "/admin/two-factor/"
# Pages an agent still reaches before setting up the second factor.
ALLOWED_BEFORE_SETUP = (SETUP_PATH, "/admin/logout/", "/admin/login/", "/admin/jsi18n/")


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_required(user) -> bool:
    return Agent.objects.filter(user=user, organization__require_two_factor=True).exists()


class TwoFactorAdminAuthenticationForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        required=False,
        max_length=8,
        label=gettext_lazy("Authentication code"),
        help_text=gettext_lazy("Only if you set up an authenticator app."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.user_cache
        if user is not None and has_second_factor(user):
            token = (cleaned.get("otp_token") or "").strip()
            if not token:
                raise forms.ValidationError(
                    _("Enter the code from your authenticator app."), code="token_required"
                )
            if match_token(user, token) is None:
                raise forms.ValidationError(_("Wrong authentication code."), code="invalid_token")
        return cleaned


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/admin/")
            and not request.path.startswith(ALLOWED_BEFORE_SETUP)
            and user is not None
            and user.is_authenticated
            and second_factor_required(user)
            and not has_second_factor(user)
        ):
            return HttpResponseRedirect(SETUP_PATH)
        return self.get_response(request)


def _qr_svg(url: str) -> str:
    out = BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True)
    return out.getvalue().decode()


def two_factor_setup(request, site):
    """Show the secret (QR code and text) and confirm it with a first code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is not None:
        return TemplateResponse(
            request,
            "admin/two_factor_setup.html",
            {**site.each_context(request), "title": _("Two-factor sign-in"), "done": True},
        )
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "console"}
    )
    error = ""
    if request.method == "POST":
        if device.verify_token((request.POST.get("otp_token") or "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            messages.success(request, _("Two-factor sign-in is on."))
            return HttpResponseRedirect(reverse("admin:index"))
        error = _("Wrong authentication code.")
    context = {
        **site.each_context(request),
        "title": _("Two-factor sign-in"),
        "done": False,
        "qr_svg": _qr_svg(device.config_url),
        "secret": device.config_url.split("secret=", 1)[1].split("&", 1)[0],
        "error": error,
    }
    return TemplateResponse(request, "admin/two_factor_setup.html", context)
