"""The OpenAPI document says exactly what the server does.

Every view gets, without writing it: the error shape on every status it can
answer, the pattern a trimmed non-blank text field really needs, and the
stateful links and body alternatives its own ``extend_schema`` declares
through the helpers below (``errors``, ``links``, ``body_rules``).
schemathesis checks the whole document against the running server
(tests/core/test_api_schema.py, docs/API.md "Checking the contract").
"""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from drf_spectacular import openapi
from rest_framework import serializers

# Operation and component keys this module reads and removes from the document.
_ERRORS = "x-atende-errors"
_LINKS = "x-atende-links"
_RULES = "x-atende-rules"
_DELETE_BODY = "x-atende-delete-body"

ERROR_SCHEMA = {
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

DESCRIPTIONS = {
    "400": "The request breaks this document (malformed JSON, a wrong type, a missing or "
    "unknown-valued field, a value out of its documented range).",
    "401": "Missing or invalid API key.",
    "403": "Forbidden.",
    "404": "Not found (or another organization's object).",
    "405": "Method not allowed.",
    "409": "Conflict with the current state.",
    "413": "Payload too large.",
    "415": "Unsupported media type.",
    "422": "Well-formed, but cannot be carried out: an id in the body that names nothing of "
    "yours, a phone number no country has, a file without readable text.",
    "429": "Rate limited; see Retry-After.",
    "502": "The WhatsApp gateway failed or could not be reached (`gateway_error`).",
    "503": "The service is briefly unavailable (database away); see Retry-After.",
}

# Every operation can answer these; writes (with a body) the second set too.
ALWAYS = ["400", "401", "403", "404", "405", "429", "503"]
WRITES = ["409", "413", "415", "422"]

# DRF refuses NUL in text; a field that trims and refuses blanks needs one
# character that is not a space.
ANY_TEXT = r"^[^\u0000]+$"  # drf-spectacular adds the blank as a oneOf branch
# What Python's str.strip() removes, spelled so every regex engine agrees.
_SPACE = (
    r"\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a"
    r"\u2028\u2029\u202f\u205f\u3000"
)
NOT_BLANK = "^[" + _SPACE + "]*[^" + _SPACE + r"\u0000][^\u0000]*$"
# What Django's URLValidator takes, narrowed to what a generator can keep
# within it: http(s), localhost, an IPv4 address or a name with a letters-only
# top-level domain (at most 192 characters), a port, URI characters after.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,40}[A-Za-z0-9])?"
WEB_URL = (
    r"^https?://(?:localhost|"
    + _OCTET
    + r"(?:\."
    + _OCTET
    + r"){3}|(?:"
    + _LABEL
    + r"\.){1,3}[A-Za-z]{2,63})(?::[0-9]{1,5})?"
    + r"(?:/[A-Za-z0-9._~:/@!$&'()*+,;=-]*)?"
    + r"(?:\?[A-Za-z0-9._~:/?@!$&'()*+,;=-]*)?"
    + r"(?:#[A-Za-z0-9._~:/?@!$&'()*+,;=-]*)?$"
)


def errors(*statuses: int) -> dict:
    """``extend_schema(extensions=errors(409, 502))``: statuses beyond the defaults."""
    return {_ERRORS: [str(s) for s in statuses]}


def links(status: int, parameters: dict[str, str], *operations: str) -> dict:
    """OpenAPI links from a response to the operations its ids lead to, e.g.
    ``links(201, {"session_id": "$response.body#/id"}, "GET /api/v1/sessions/{session_id}")``
    (the stateful phase of schemathesis walks them)."""
    targets = {
        re.sub(r"[^A-Za-z0-9]+", "_", operation).strip("_"): [operation, parameters]
        for operation in operations
    }
    return {_LINKS: {str(status): targets}}


def delete_body() -> dict:
    """``extend_schema(request=..., extensions=delete_body())``: a DELETE that reads a
    body (drf-spectacular leaves DELETE bodies out unless told)."""
    return {_DELETE_BODY: True}


def body_rules(**rules) -> dict:
    """``extend_schema_serializer(extensions=body_rules(oneOf=[...]))``: alternatives
    and rules between fields, merged into the serializer's component (a dict
    such as ``properties`` key by key)."""
    return {_RULES: rules}


class AutoSchema(openapi.AutoSchema):
    def _get_request_body(self, direction="request"):
        # A DELETE that reads a body (DELETE /sessions/{id}/tags) documents it.
        if self.method == "DELETE" and self.get_extensions().get(_DELETE_BODY):
            self.method = "POST"
            try:
                return super()._get_request_body(direction)
            finally:
                self.method = "DELETE"
        return super()._get_request_body(direction)

    def _get_request_for_media_type(self, serializer, direction="request"):
        # A PATCH body is partial unless its serializer says it is whole
        # (``patch_is_partial = False``: PATCH /sessions/{id}/status needs its status).
        if self.method == "PATCH" and getattr(serializer, "patch_is_partial", True) is False:
            self.method = "PUT"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request":
            return schema
        if isinstance(field, serializers.ListSerializer):
            # drf-spectacular leaves a nested list's length limits out.
            if field.min_length is not None:
                schema["minItems"] = field.min_length
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
            return schema
        if isinstance(field, serializers.URLField):
            # The pattern says it all; ``format: uri`` (dropped by the hook below)
            # admits hosts Django refuses.
            schema["pattern"] = WEB_URL
            return schema
        regex = any(isinstance(v, RegexValidator) for v in field.validators)
        if "pattern" in schema or regex:
            return schema
        if isinstance(field, serializers.FileField) and not field.allow_empty_file:
            schema["minLength"] = 1
        elif isinstance(field, serializers.CharField) and "format" not in schema:
            blank_refused = field.trim_whitespace and not field.allow_blank
            schema["pattern"] = NOT_BLANK if blank_refused else ANY_TEXT
        return schema


def schema_error_responses_hook(result, generator, request, public):
    """drf-spectacular post-processing: errors, links and body rules, everywhere."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for component in components.values():
        for prop in component.get("properties", {}).values():
            if prop.get("pattern") == WEB_URL:
                prop.pop("format", None)
        for key, value in component.pop(_RULES, {}).items():
            if isinstance(value, dict) and isinstance(component.get(key), dict):
                component[key].update(value)
            else:
                component[key] = value
    ruled = {
        f"#/components/schemas/{name}"
        for name, component in components.items()
        if {"anyOf", "oneOf", "allOf", "minProperties"} & set(component)
    }
    operation_ids = {
        f"{method.upper()} {path}": operation.get("operationId")
        for path, operations in result.get("paths", {}).items()
        for method, operation in operations.items()
        if isinstance(operation, dict)
    }
    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            operation.pop(_DELETE_BODY, None)
            extra = operation.pop(_ERRORS, [])
            declared = operation.pop(_LINKS, {})
            if not path.startswith("/api/v1/"):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.get("type") == "string" and not {"format", "enum", "pattern"} & set(
                    schema
                ):
                    schema["pattern"] = r"^[^\u0000]*$"  # DRF and Django refuse NUL
            body = operation.get("requestBody")
            if body and any(
                c.get("schema", {}).get("$ref") in ruled for c in body["content"].values()
            ):
                body["required"] = True  # an absent body matches none of the alternatives
            responses = operation.setdefault("responses", {})
            wanted = [*ALWAYS, *(WRITES if method != "get" else []), *extra]
            for code in wanted:
                responses.setdefault(
                    code, {"description": DESCRIPTIONS[code], "content": error_ref}
                )
            # Statuses a view declares itself (422, 502) answer the same error shape.
            for code, response in responses.items():
                if code[0] in "45" and "content" not in response:
                    response["content"] = error_ref
            for status, targets in declared.items():
                response = responses[status]
                for name, (target, parameters) in targets.items():
                    response.setdefault("links", {})[name] = {
                        "operationId": operation_ids[target],
                        "parameters": parameters,
                    }
    return result
