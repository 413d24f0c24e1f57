"""The OpenAPI schema's shared part: every operation documents the JSON error answers.

Errors are `{"detail": str, "errors": [{"field", "message"}]}` (config/api/errors.py), with
400, 401, 403, 404, 409, 413, 429 or 503 (DESIGN.md). `document_errors` is a drf-spectacular
postprocessing hook that adds them to every operation that does not describe them itself:

- 400, 401, 403, 404, 429 and 503 to all: bad parameters or body, no or a bad token, a
  member without the right, a non-member or a missing object, too many requests, the
  database connection lost mid-request (with Retry-After);
- 409 to those that write (anything but GET), where a request can clash with stored state;
- 413 to those that take a body (a file upload, or a JSON body over Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE).

`SchemaView` and `SwaggerView` serve the schema and the Swagger UI; their own errors (a 405)
are the same JSON.
"""

from typing import Any

from drf_spectacular.hooks import postprocess_schema_enums
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every API error: a summary and the problems, each with the field it "
                   "concerns ('' for the request as a whole).",
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object",
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            "required": ["field", "message"]}},
    },
    "required": ["detail", "errors"],
}
DESCRIPTIONS = {
    "400": "The parameters or the body are not valid; `errors` lists each problem.",
    "401": "No credentials, or a bad token.",
    "403": "A member without the right, or an action the object's state forbids.",
    "404": "No such object, or a project the requester is not a member of.",
    "409": "The request clashes with stored data (a stale version, a taken name).",
    "413": "The upload or the body is larger than the server accepts.",
    "429": "Too many requests; retry later.",
    "503": "The database is unavailable (its connection was lost); retry after Retry-After.",
}
ALWAYS = ("400", "401", "403", "404", "429", "503")
METHODS = ("get", "put", "post", "patch", "delete")


def _codes(method: str, operation: dict[str, Any]) -> tuple[str, ...]:
    codes = ALWAYS
    if method != "get":
        codes += ("409",)
    if operation.get("requestBody"):
        codes += ("413",)
    return codes


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool
                    ) -> dict[str, Any]:
    result = postprocess_schema_enums(result, generator, request=request, public=public)
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code in _codes(method, operation):
                responses.setdefault(code, {"description": DESCRIPTIONS[code],
                                            "content": {"application/json": {"schema": ref}}})
    return result


class _JsonErrors:
    """Errors as DESIGN's JSON, like every other answer under /api/: the schema's renderers
    (YAML first) and the Swagger UI's (HTML) would otherwise render a 405 in their format."""

    def finalize_response(self, request: Request, response: Response, *args: Any,
                          **kwargs: Any) -> Response:
        if response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


class SchemaView(_JsonErrors, SpectacularAPIView):
    pass


class SwaggerView(_JsonErrors, SpectacularSwaggerSplitView):
    pass

