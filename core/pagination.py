"""Page-number pagination with totals, in the falecomigo ``pagination`` shape."""

import math

from rest_framework import exceptions, pagination
from rest_framework.response import Response


class PageNumberPagination(pagination.BasePagination):
    """``?page=&limit=`` with totals, in the falecomigo ``pagination`` shape.

    A page past the end is an empty page, not an error: clients walking
    pages stop on ``has_next_page``.
    """

    default_limit = 50
    max_limit = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.page = positive_int(request.query_params.get("page"), "page", default=1)
        self.limit = min(
            positive_int(request.query_params.get("limit"), "limit", default=self.default_limit),
            self.max_limit,
        )
        self.total = queryset.count()
        offset = (self.page - 1) * self.limit
        if offset >= self.total:
            return []
        return list(queryset[offset : offset + self.limit])

    def get_pagination(self) -> dict:
        total_pages = math.ceil(self.total / self.limit) if self.total else 0
        return {
            "total_data": self.total,
            "total_pages": total_pages,
            "page": self.page,
            "limit": self.limit,
            "has_next_page": self.page < total_pages,
            "has_previous_page": self.page > 1,
        }

    def get_paginated_response(self, data):
        return Response({"data": data, "pagination": self.get_pagination()})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["data", "pagination"],
            "properties": {
                "data": schema,
                "pagination": PAGINATION_SCHEMA,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_limit},
            },
        ]


PAGINATION_SCHEMA = {
    "type": "object",
    "required": [
        "total_data",
        "total_pages",
        "page",
        "limit",
        "has_next_page",
        "has_previous_page",
    ],
    "properties": {
        "total_data": {"type": "integer", "example": 1},
        "total_pages": {"type": "integer", "example": 1},
        "page": {"type": "integer", "example": 1},
        "limit": {"type": "integer", "example": 50},
        "has_next_page": {"type": "boolean", "example": False},
        "has_previous_page": {"type": "boolean", "example": False},
    },
}


def positive_int(raw: str | None, name: str, *, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise exceptions.ValidationError({name: ["Must be a positive integer."]}) from None
    if value < 1 or value > 1_000_000:
        raise exceptions.ValidationError({name: ["Must be between 1 and 1000000."]})
    return value
