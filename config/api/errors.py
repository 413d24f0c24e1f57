"""Every API error is JSON {"detail": str, "errors": [{"field", "message"}]} (DESIGN.md)."""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.faults import DATABASE_RETRY_AFTER, TRANSIENT_DATABASE_ERRORS, api_body
from projects.errors import ServiceError

logger = logging.getLogger(__name__)


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            if isinstance(key, int):
                out += _flatten(value, f"{prefix}[{key}]")
                continue
            name = "" if key == "non_field_errors" else str(key)
            out += _flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name)
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"field": prefix, "message": str(item)} for item in detail]
        out = []
        for i, item in enumerate(detail):
            out += _flatten(item, f"{prefix}[{i}]")
        return out
    return [{"field": prefix, "message": str(detail)}]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ServiceError):
        return Response({"detail": exc.detail, "errors": exc.errors}, status=exc.status_code)
    if isinstance(exc, IntegrityError):
        logger.warning("integrity error in API: %s", exc)
        return Response({"detail": _("The request conflicts with stored data."), "errors": []},
                        status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig):  # Django's bound on a body held in memory
        return Response({"detail": _too_big(), "errors": []},
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response({"detail": f"The request has too many fields or files: {exc}",
                         "errors": []}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TRANSIENT_DATABASE_ERRORS):  # the connection died (config/faults.py)
        logger.warning("database unavailable in API: %s", exc)
        return Response(api_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": str(DATABASE_RETRY_AFTER)})
    if isinstance(exc, DjangoValidationError):  # a model's full_clean() in a service
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or _("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = errors[0]["message"] if len(errors) == 1 else _("The request is not valid.")
        response.data = {"detail": detail, "errors": errors}
    else:
        data = response.data if isinstance(response.data, dict) else {}
        response.data = {"detail": str(data.get("detail", "Error.")), "errors": []}
    return response



def _too_big() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (f"The request body is larger than the server accepts: at most {limit:,} bytes "
            f"(setting DATA_UPLOAD_MAX_MEMORY_SIZE). A file goes to the import endpoint.")


@csrf_exempt  # a PUT to no API URL is a JSON 404, not the CSRF failure page
def json_404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": _("Not found."), "errors": []}, status=404)


def json_500(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": _("Server error."), "errors": []}, status=500)
