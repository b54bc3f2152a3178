"""Request plumbing every view gets: ids for the logs, metrics, honest 503s,
and the REST API's language."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from core import metrics
from core.errors import error_body
from core.logging import new_log_context

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's request id is kept when it looks like one (no log injection).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# How long clients are asked to wait while the database is away: about
# what a PostgreSQL restart or failover takes.
DATABASE_RETRY_AFTER_SECONDS = 30


class RequestContextMiddleware:
    """A request id (the proxy's ``X-Request-ID`` or a new one) on every log
    line of the request and on the response; the request counted by its
    route pattern (never the raw path: it may hold a webhook secret)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        new_log_context(request_id=request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
        finally:
            new_log_context()  # a thread's next request starts clean
        response.headers[REQUEST_ID_HEADER] = request_id
        route = _route(request)
        metrics.HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        metrics.HTTP_REQUEST_SECONDS.labels(route).observe(time.monotonic() - started)
        return response


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "unknown").lstrip("^").rstrip("$")


class ApiNotFoundMiddleware:
    """A path under /api/ that matches no route answers the API's JSON 404,
    DEBUG or not (Django's debug page is HTML; a client generated from the
    schema expects the error shape)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path_info.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return JsonResponse(error_body("not_found", "No such endpoint."), status=404)
        return response


class DatabaseUnavailableMiddleware:
    """PostgreSQL unreachable → 503 with ``Retry-After`` (the API's JSON error
    shape under /api/), not a 500: the client did nothing wrong and should
    come back. Gateways retry a webhook that got a 5xx, so nothing is lost.

    Last in ``MIDDLEWARE``: it sees a view's exception (DRF re-raises those it
    does not map) before any other middleware does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable(request, exception)
        return None


def database_unavailable(request, exc) -> HttpResponse:
    logger.error("database unavailable: %s", str(exc).strip()[:300])
    if request.path.startswith("/api/"):
        response = JsonResponse(
            error_body(
                "service_unavailable",
                "The database is unavailable; try again shortly.",
                {"retryAfterSeconds": DATABASE_RETRY_AFTER_SECONDS},
            ),
            status=503,
        )
    else:
        response = HttpResponse(
            "Service unavailable; try again shortly.", status=503, content_type="text/plain"
        )
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


class ApiLanguageMiddleware:
    """The API's human-readable ``message`` follows ``Accept-Language``.

    Integrators that send none get English (the API's default, docs/API.md)
    whatever language the console speaks: LocaleMiddleware alone would fall
    back to LANGUAGE_CODE (pt-br) or to a console cookie. Codes and field
    names never change.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            # A console cookie is not an integrator's choice: only the header is.
            header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
            language = _first_supported(parse_accept_lang_header(header)) or "en"
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def _first_supported(accepted) -> str | None:
    for code, _quality in accepted:
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None
