"""The web's WSGI application (``config.wsgi``): gateway webhooks through a
short middleware stack (``WEBHOOK_MIDDLEWARE``), every other request
through ``MIDDLEWARE``.

A webhook is a gateway's POST that names and authenticates its instance by
its URL or a signature: no session, user, second factor, console time
zone, flash message, CSRF token or sign-in lockout applies to it, and the
webs answer hundreds a second (docs/PIPELINE.md). It keeps what every API
request gets: the request id and HTTP metrics, the HTTPS and host checks,
the API's language and JSON 404, and the 503 while PostgreSQL is away.

The test client runs ``MIDDLEWARE`` for every path: a view behaves the same
under both stacks, and tests/core/test_wsgi.py runs webhooks through this one.
"""

from __future__ import annotations

import django
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.utils.module_loading import import_string

WEBHOOK_PREFIX = "/api/v1/webhooks/"


class MiddlewareListHandler(WSGIHandler):
    """Django's WSGI handler over a middleware list of its own (synchronous
    middleware only), instead of ``settings.MIDDLEWARE``."""

    def __init__(self, middleware: list[str]):
        self.middleware = list(middleware)
        super().__init__()

    def load_middleware(self, is_async=False):
        # BaseHandler.load_middleware's chain, for self.middleware.
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(self.middleware):
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler


def split_application():
    """Webhooks to the short stack, the rest to the full one (Django set up)."""
    full = WSGIHandler()
    webhooks = MiddlewareListHandler(settings.WEBHOOK_MIDDLEWARE)

    def application(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(WEBHOOK_PREFIX):
            return webhooks(environ, start_response)
        return full(environ, start_response)

    return application


def web_application():
    """``django.core.wsgi.get_wsgi_application``, webhooks apart."""
    django.setup(set_prefix=False)
    return split_application()
