from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.two_factor import two_factor_setup
from console.availability import availability_set
from core.views import favicon, health, metrics_view

api_v1 = [
    path("webhooks/", include("messaging.inbound.urls")),
    # Messages and every /sessions route (one place: messaging.api.urls).
    path("", include("messaging.api.urls")),
    path("", include("contacts.urls")),
    path("", include("accounts.urls")),
    path("", include("providers.urls")),
    path("", include("integrations.urls")),
    path("", include("assistant.urls")),
    path("", include("canned.urls")),
    path("", include("privacy.urls")),
]

urlpatterns = [
    # The agent's availability switch in the console header.
    path(
        "admin/availability/",
        admin.site.admin_view(availability_set),
        name="console-availability",
    ),
    path(
        "admin/two-factor/",
        admin.site.admin_view(lambda request: two_factor_setup(request, admin.site)),
        name="two_factor_setup",
    ),
    path("admin/", admin.site.urls),
    # The console's language switch posts here (Django's set_language).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/health", health, name="health"),
    path("metrics", metrics_view, name="metrics"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/v1/", include(api_v1)),
]

# No public /media/: customers' files are served by the API
# (/api/v1/messages/{id}/media, with an API key) and the console (its scoping).

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
