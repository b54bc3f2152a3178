"""Writes for canned responses: one set of rules for the API and the admin."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Department, Organization
from canned.models import CONTENT_MAX_LENGTH, SHORT_CODE_PATTERN, CannedResponse
from canned.variables import KNOWN_VARIABLES, unknown_variables
from core.errors import Conflict, Unprocessable, ValidationError

CANNED_EDITABLE_FIELDS = ("short_code", "content", "department")


def _check(canned: CannedResponse) -> None:
    canned.short_code = (canned.short_code or "").strip()
    if not re.match(SHORT_CODE_PATTERN, canned.short_code):
        raise ValidationError(
            _("A short code is 1 to 32 lowercase letters, digits, - or _."),
            details={"shortCode": [gettext_noop("Use 1-32 of a-z, 0-9, - and _.")]},
        )
    if not (canned.content or "").strip():
        raise ValidationError(
            _("A canned response needs content."),
            details={"content": [gettext_noop("Required.")]},
        )
    if len(canned.content) > CONTENT_MAX_LENGTH:
        raise ValidationError(
            _("The content is longer than %(max)s characters.") % {"max": CONTENT_MAX_LENGTH},
            details={"content": [f"At most {CONTENT_MAX_LENGTH} characters."]},
        )
    unknown = unknown_variables(canned.content)
    if unknown:
        # Text of the documented shape naming a variable no one fills in: 422.
        raise Unprocessable(
            _("Unknown variable: %(names)s.")
            % {"names": ", ".join("{{" + name + "}}" for name in unknown)},
            code="unknown_variable",
            details={"variables": unknown, "known": list(KNOWN_VARIABLES)},
        )
    if canned.department_id is not None:
        department = canned.department
        if department.organization_id != canned.organization_id:
            raise Unprocessable(
                _("Unknown departmentId."), details={"departmentId": ["Not found."]}
            )


def _save(canned: CannedResponse, update_fields: list[str] | None = None) -> CannedResponse:
    _check(canned)
    try:
        with transaction.atomic():
            canned.save(update_fields=update_fields)
    except IntegrityError:
        raise Conflict(
            _("A canned response with this short code already exists."),
            code="canned_short_code_taken",
            details={"shortCode": canned.short_code},
        ) from None
    return canned


def canned_create(
    *,
    organization: Organization,
    short_code: str,
    content: str,
    department: Department | None = None,
) -> CannedResponse:
    return _save(
        CannedResponse(
            organization=organization,
            short_code=short_code or "",
            content=content or "",
            department=department,
        )
    )


def canned_update(*, canned: CannedResponse, **fields) -> CannedResponse:
    unknown = set(fields) - set(CANNED_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Cannot change %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    if not fields:
        return canned
    for name, value in fields.items():
        setattr(canned, name, value)
    return _save(canned, update_fields=[*fields, "updated_at"])


def canned_delete(*, canned: CannedResponse) -> None:
    canned.delete()
