"""The API's one error shape, for DRF views and plain Django views alike."""

import math

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, NotFound, Unprocessable, error_body

_DRF_CODES = {
    exceptions.ParseError: "malformed_request",
    exceptions.AuthenticationFailed: "unauthenticated",
    exceptions.NotAuthenticated: "unauthenticated",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
    exceptions.ValidationError: "validation_error",
}


def exception_handler(exc, context):
    """Every API error leaves in one shape: ``{"error": {code, message, details}}``."""
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("payload_too_large", _("The request body is too large.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent):
        return Response(
            error_body("malformed_request", _("Too many fields.")),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        message = _("The request has invalid fields.")
        details = response.data if isinstance(response.data, dict) else {"nonField": response.data}
    else:
        message = str(getattr(exc, "detail", exc))
        details = {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            details = {"retryAfterSeconds": math.ceil(exc.wait)}
    response.data = error_body(code, message, details)
    return response


def json_error(
    code: str, message: str, http_status: int = status.HTTP_400_BAD_REQUEST, details=None
):
    """For plain Django views (webhooks, health) that live outside DRF."""
    return JsonResponse(error_body(code, message, details), status=http_status)


def get_referenced(model, organization, pk, field: str):
    """An object a request body names (``instanceId``…): None when not given;
    unknown or another tenant's is a 422 on that field (the request is
    well-formed; the id names nothing of the caller's), not a 404."""
    if pk is None:
        return None
    obj = model.objects.filter(organization=organization, pk=pk).first()
    if obj is None:
        raise Unprocessable(
            _("Unknown %(field)s.") % {"field": field}, details={field: ["Not found."]}
        )
    return obj


def get_scoped_or_404(queryset, pk, what: str):
    """One object of the caller's organization, or the error-shaped 404.

    ``queryset`` is already scoped to the organization: another tenant's id
    is indistinguishable from an id that never existed.
    """
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(_not_found_message(what))
    return obj


# Whole sentences, so a translation can agree with the noun (uma mensagem
# não encontrada, um contato não encontrado); the English is "No such <what>.".
_NOT_FOUND = {
    "agent": gettext_noop("No such agent."),
    "assistant": gettext_noop("No such assistant."),
    "canned response": gettext_noop("No such canned response."),
    "contact": gettext_noop("No such contact."),
    "delivery": gettext_noop("No such delivery."),
    "department": gettext_noop("No such department."),
    "document": gettext_noop("No such document."),
    "export": gettext_noop("No such export."),
    "instance": gettext_noop("No such instance."),
    "integration": gettext_noop("No such integration."),
    "message": gettext_noop("No such message."),
    "session": gettext_noop("No such session."),
    "tabulation": gettext_noop("No such tabulation."),
}


def _not_found_message(what: str) -> str:
    if what in _NOT_FOUND:
        return _(_NOT_FOUND[what])
    return _("No such %(what)s.") % {"what": what}


class LimitedJSONParser(parsers.JSONParser):
    """JSON bodies capped like form bodies (DATA_UPLOAD_MAX_MEMORY_SIZE): 413 above it.

    DRF reads JSON straight from the stream, so Django's own cap never applies.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None:
            meta = request.META
            try:
                length = int(meta.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise DomainError(
                    _("The request body is too large."),
                    code="payload_too_large",
                    status=413,
                    details={"maxBytes": limit},
                )
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:  # absurdly nested JSON is malformed too, not a 500
            raise exceptions.ParseError(_("JSON parse error - nested too deeply.")) from None
