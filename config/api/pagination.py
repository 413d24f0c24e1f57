from typing import Any

from rest_framework import pagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class CursorPagination(pagination.CursorPagination):
    """Stable, index-friendly pages for large projects."""

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 500


class KeysetPagination(pagination.BasePagination):
    """Pages that a selector cut with `after`/`before` cursors (DESIGN.md: keyset pages):
    the answer is {next, previous, results}, the links keeping the request's other
    parameters. The view hands over the page's two cursors."""

    page_size = 50
    max_page_size = 500

    def size(self, request: Any) -> int:
        try:
            asked = int(request.query_params.get("page_size", self.page_size))
        except ValueError:
            return self.page_size
        return min(max(asked, 1), self.max_page_size)

    def response(self, request: Any, results: Any, next_after: str | None,
                 prev_before: str | None, partial: bool = False) -> Response:
        """`partial`: a search that stopped early; `next` goes on (fewer results than a page
        do not mean the end then)."""
        url = request.build_absolute_uri()
        return Response({"next": self._link(url, "after", next_after),
                         "previous": self._link(url, "before", prev_before),
                         "partial": partial, "results": results})

    @staticmethod
    def _link(url: str, name: str, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        other = "before" if name == "after" else "after"
        return replace_query_param(remove_query_param(url, other), name, cursor)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {"type": "object", "required": ["results"],
                "properties": {"next": link, "previous": link, "results": schema,
                               "partial": {"type": "boolean"}}}

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        def param(name: str, description: str, kind: str = "string") -> dict:
            return {"name": name, "required": False, "in": "query",
                    "description": description, "schema": {"type": kind}}
        return [param("after", "the page after this cursor (the `next` link's)"),
                param("before", "the page before this cursor (the `previous` link's)"),
                param("page_size", f"rows per page, at most {self.max_page_size}", "integer")]
