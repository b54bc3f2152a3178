import hmac
import logging

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error

from core import metrics
from core.api import error_body
from core.health import health_report

logger = logging.getLogger(__name__)


@require_GET
def health(request):
    healthy, report = health_report()
    response = JsonResponse(report, status=200 if healthy else 503)
    if not healthy:
        # A 503 here is the answer asked for (a worker still starting, a
        # broker down), not a fault of the request: one WARNING naming the
        # failing checks instead of django.request's ERROR for any 5xx.
        failing = sorted(name for name, check in report["checks"].items() if not check["ok"])
        logger.warning("Health check: not ready (%s)", ", ".join(failing))
        response._has_been_logged = True
    return response


@require_GET
def metrics_view(request):
    """Prometheus exposition, for a scraper holding ``METRICS_TOKEN``.

    No token configured: 404, as if there were no such page, so metrics are
    never public by accident.
    """
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    matches = hmac.compare_digest(given.strip().encode(), token.encode())
    if scheme.lower() != "bearer" or not matches:
        response = HttpResponse("Unauthorized.\n", status=401, content_type="text/plain")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on any page (the API's JSON and docs
    too): the console's icon, from the static files."""
    return HttpResponsePermanentRedirect(static("atende/favicon.ico"))


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "No such endpoint."), status=404)
    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "Internal server error."), status=500)
    return default_server_error(request)
