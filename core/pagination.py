"""Page-number pagination with totals, in the falecomigo ``pagination`` shape."""

import math

from rest_framework import pagination
from rest_framework.response import Response

from core.strict import query_int

# Past this a page number is a typo, not a page: 400.
MAX_PAGE = 1_000_000


class PageNumberPagination(pagination.BasePagination):
    """``?page=&limit=`` with totals, in the falecomigo ``pagination`` shape.

    A page past the end is an empty page, not an error: clients walking
    pages stop on ``has_next_page``. A ``limit`` above 100 is a 400, as the
    document says, not silently a smaller page.
    """

    default_limit = 50
    max_limit = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.page = query_int(request, "page", default=1, maximum=MAX_PAGE)
        self.limit = query_int(request, "limit", default=self.default_limit, maximum=self.max_limit)
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
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
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
