"""A lost database connection is a 503 with Retry-After, never a 500 (DESIGN.md, issue 8).

PostgreSQL dropping the app's connection mid-request (a restart, a failover,
pg_terminate_backend) surfaces as django.db's OperationalError or InterfaceError. This module is
the one mapping of those errors to an answer, for every kind of request:
- the API: its JSON error (config/api/errors.py calls `api_body` from DRF's exception handler);
- an htmx request: a small fragment that htmx swaps into the page's `#service-notice`
  (base.html lets htmx swap a 503; the element that asked is left as it was, so polling goes on);
- any other page: templates/503.html.
All send Retry-After. Other errors are not touched: they stay 500s, logged as before. Nothing
here may touch the database, whose connection is gone: the page shows the signed-in user only
if the request had already loaded it, and no messages (both live in the session).
"""

import logging
import sys
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _
from django_htmx.http import push_url, reswap, retarget

logger = logging.getLogger(__name__)

TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER = 5  # seconds; the next request opens a new connection
API_DETAIL = "The database is unavailable; try again."


def api_body() -> dict:
    return {"detail": API_DETAIL, "errors": []}


def _loaded_user(request: HttpRequest) -> object:
    """request.user if it is already loaded; loading it now would query the lost database."""
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return AnonymousUser()
    return user


def _render(request: HttpRequest, template: str) -> str:
    context = {"user": _loaded_user(request), "messages": [],
               "retry_after": DATABASE_RETRY_AFTER}
    try:
        return render_to_string(template, context, request=request)
    except Exception:  # the error page must not fail in turn; say it in plain words instead
        logger.exception("could not render %s", template)
        return _("The database is unavailable. Try again in a few seconds.")


def database_unavailable(request: HttpRequest, exc: BaseException | None) -> HttpResponse | None:
    """The 503 for a lost database connection, or None for any other error."""
    if not isinstance(exc, TRANSIENT_DATABASE_ERRORS):
        return None
    logger.warning("database unavailable during %s %s: %s", request.method, request.path, exc)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(api_body(), status=503)
    elif getattr(request, "htmx", False):
        response = HttpResponse(_render(request, "503.html#notice"), status=503)
        retarget(response, "#service-notice")
        reswap(response, "innerHTML")
        push_url(response, False)  # the page did not change
    else:
        response = HttpResponse(_render(request, "503.html"), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


class DatabaseUnavailableMiddleware:
    """Answers a view's lost database connection with the 503 above."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return database_unavailable(request, exception)


def database_unavailable_in_handler500(request: HttpRequest) -> HttpResponse | None:
    """For errors outside views (a middleware's query): handler500 runs inside the except."""
    return database_unavailable(request, sys.exc_info()[1])
