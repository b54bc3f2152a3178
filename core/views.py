from django.http import JsonResponse
from django.views.decorators.http import require_GET

from core.api import error_body
from core.health import health_report


@require_GET
def health(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "No such endpoint."), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "Internal server error."), status=500)
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request)
