"""The API's one error shape, for DRF views and plain Django views alike."""

import math
from datetime import UTC

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, NotFound, ValidationError, error_body

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
    unknown or another tenant's is a 400 on that field, not a 404."""
    if pk is None:
        return None
    obj = model.objects.filter(organization=organization, pk=pk).first()
    if obj is None:
        raise ValidationError(
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


def schema_error_responses_hook(result, generator, request, public):
    """drf-spectacular post-processing: document the one error shape on every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": {"type": "string", "example": "validation_error"},
                    "message": {"type": "string"},
                    "details": {"oneOf": [{"type": "object"}, {"type": "array"}]},
                },
            }
        },
    }
    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    descriptions = {
        "400": "Invalid input.",
        "401": "Missing or invalid API key.",
        "403": "Forbidden.",
        "404": "Not found (or another organization's object).",
        "405": "Method not allowed.",
        "409": "Conflict with the current state.",
        "413": "Payload too large.",
        "415": "Unsupported media type.",
        "422": "Understood but refused (the error's code says why).",
        "502": "The gateway did not answer.",
        "429": "Rate limited; see Retry-After.",
    }
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            wanted = ["400", "401", "404", "405", "429"]
            if method != "get":
                wanted += ["409", "413", "415"]
            for code in wanted:
                responses.setdefault(
                    code, {"description": descriptions[code], "content": error_ref}
                )
            # Statuses a view declares itself (422, 502) answer the same error shape.
            for code, response in responses.items():
                if code[0] in "45" and "content" not in response:
                    response["content"] = error_ref
    return result


class _StrictBooleanField(forms.Field):
    """'true'/'false' (and 1/0, yes/no); anything else is a 400, not a silently ignored filter."""

    TRUE = {"true", "1", "yes"}
    FALSE = {"false", "0", "no"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError("Must be true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField


class _UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO-8601 time read in UTC: PostgreSQL refuses offsets beyond ±15:59
    that ISO-8601 allows ("-22:46"), and a date at the edge of the calendar
    may not convert at all; either is a 400, not a database error."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("Out of range.", code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _UtcIsoDateTimeField


def strict_bool(raw: str | None, name: str, *, default: bool = False) -> bool:
    """A true/false query parameter outside a filterset, by the same rule."""
    try:
        value = _StrictBooleanField().to_python(raw)
    except forms.ValidationError:
        raise exceptions.ValidationError({name: ["Must be true or false."]}) from None
    return default if value is None else value


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
