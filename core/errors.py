"""The one exception family for domain rules.

Services raise these; ``core.api.exception_handler`` turns them into the API's
error shape and the admin shows their message. Views never build error
responses by hand.

The message is read by a person (an agent in the console, an integrator in
the API), so it is marked with ``gettext`` and translated when raised, in the
request's language (English for the API unless it sends Accept-Language).
``code`` and ``details`` are the contract: they stay English.
tests/core/test_refusals_are_translated.py fails on an unmarked message.
"""

from typing import Any

from django.utils.translation import gettext as _


def error_body(code: str, message: str, details: dict | list | None = None) -> dict:
    """The API's one error shape: ``{"error": {code, message, details}}``."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details or {}


class ValidationError(DomainError):
    status = 400
    code = "validation_error"


class Unprocessable(ValidationError):
    """A request the schema admits that still cannot be carried out: an id in
    the body that names nothing of the caller's, a phone number no country
    has, a document without text. 422, so a 400 always means the request
    broke the documented schema; the code stays ``validation_error`` (or a
    more precise one) with the field in ``details``."""

    status = 422


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"

    def __init__(self, current: str, target: str, allowed: list[str]) -> None:
        super().__init__(
            _("Cannot move a %(current)s session to %(target)s.")
            % {"current": current, "target": target},
            details={"from": current, "to": target, "allowed": allowed},
        )
