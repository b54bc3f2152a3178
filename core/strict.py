"""Input read exactly as the OpenAPI document types it.

A query parameter the document calls a boolean is ``true`` or ``false``; an
integer is digits inside its documented range; a single value is given once;
a date-time is one PostgreSQL can compare (held in UTC, so any offset and
any year the document admits is either answered or a 400 naming the field).
A body's boolean is JSON ``true``/``false`` (``"true"``/``"false"`` only in a
multipart form, where every value is text). Never a silently ignored or
clamped value, never a 500.
"""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers
from rest_framework.fields import empty

from core.errors import Unprocessable

_TRUE, _FALSE = "true", "false"
_BOOLEAN_ERROR = "Must be true or false."


def single(request, name: str) -> str | None:
    """One query value; the same parameter twice is a 400."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise exceptions.ValidationError({name: ["Give this parameter once."]})
    return values[0] if values else None


_DIGITS = re.compile(r"^[0-9]+$")


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class StrictDictField(serializers.DictField):
    """A free-form JSON object. The schema admits any text in it, PostgreSQL
    stores none with a NUL character: that is a 422 on the field, not a 500."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if _holds_nul(value):
            raise Unprocessable(
                _("The text holds a NUL character, which cannot be stored."),
                details={self.field_name: ["No NUL characters."]},
            )
        return value


def _form(field) -> bool:
    """The input is a multipart form, where every value arrives as text."""
    return isinstance(getattr(field.root, "initial_data", None), QueryDict)


class StrictCharField(serializers.CharField):
    """A JSON string (0 is not "0"), no longer than documented before trimming."""

    def get_value(self, dictionary):
        # DRF reads an empty optional value of a multipart form as absent; it is
        # given, and blank (a 400 where the document asks for a character).
        value = super().get_value(dictionary)
        form = isinstance(dictionary, QueryDict)
        if value is empty and form and dictionary.get(self.field_name) == "":
            return ""
        return value

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: "5" is not 5 (in a multipart form, digits)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (isinstance(data, int) or _form(self)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    """A JSON number: neither "0.5" nor false (which Python reads as 0)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (isinstance(data, int | float) or _form(self)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """A UUID string: DRF would read the integer 5 as a UUID."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


def query_int(request, name: str, *, default: int, maximum: int, minimum: int = 1) -> int:
    """Digits within ``minimum``..``maximum`` (as documented); anything else is a 400."""
    raw = single(request, name)
    if raw is None:
        return default
    if not _DIGITS.match(raw) or not minimum <= int(raw) <= maximum:
        raise exceptions.ValidationError(
            {name: [f"Must be an integer from {minimum} to {maximum}."]}
        )
    return int(raw)


class _StrictBooleanField(forms.Field):
    def to_python(self, value):
        if value is None:
            return None
        text = str(value)
        if text == _TRUE:
            return True
        if text == _FALSE:
            return False
        raise forms.ValidationError(_BOOLEAN_ERROR, code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    """``true`` or ``false``; anything else (blank included) is a 400."""

    field_class = _StrictBooleanField


def query_bool(request, name: str, *, default: bool = False) -> bool:
    """A true/false query parameter outside a filterset, by the same rule."""
    raw = single(request, name)
    if raw is None:
        return default
    try:
        return _StrictBooleanField().to_python(raw)
    except forms.ValidationError:
        raise exceptions.ValidationError({name: [_BOOLEAN_ERROR]}) from None


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true``/``false``; in a multipart form the text ``true``/``false``."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if _form(self) and data in (_TRUE, _FALSE):
            return data == _TRUE
        self.fail("invalid", input=data)


class FilterBackend(DjangoFilterBackend):
    """django-filter, strict: a filter given twice (unless it takes a list) or
    given blank (unless it is free text) is a 400, and date-times are
    compared in UTC."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors = {}
        for name, flt in filterset.filters.items():
            values = request.query_params.getlist(name)
            many = isinstance(flt, django_filters.MultipleChoiceFilter)
            if len(values) > 1 and not many:
                errors[name] = ["Give this parameter once."]
            elif "" in values and not _free_text(flt):
                errors[name] = ["This field may not be blank."]
        if errors:
            raise exceptions.ValidationError(errors)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        cleaned = filterset.form.cleaned_data
        for name, value in list(cleaned.items()):
            if isinstance(value, dt.datetime):
                cleaned[name] = _utc(value, name)
        return filterset.qs


def _free_text(flt) -> bool:
    # Free text, and a comma-separated list (``ordering=``: none given).
    return type(flt) is django_filters.CharFilter or isinstance(flt, django_filters.OrderingFilter)


def _utc(value: dt.datetime, name: str) -> dt.datetime:
    # PostgreSQL refuses offsets past ±15:59 and Python cannot hold a year
    # past 9999: in UTC the first cannot happen and the second is a 400.
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise exceptions.ValidationError(
            {name: ["Out of range (years 0001 to 9999, in UTC)."]}
        ) from None
