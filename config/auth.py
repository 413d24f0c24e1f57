"""Login throttling (django-axes), docs/security.md.

Failed logins are counted per (username, IP address). After CONCORD_LOGIN_FAILURE_LIMIT of
them, that pair is refused for CONCORD_LOGIN_COOLOFF_MINUTES: the login page says so, and the
token endpoint answers a JSON 429, both with Retry-After.
"""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' check, for logins that come with a request (the login page, the token endpoint).
    authenticate() without one (the test client's login(), a management script) is not a
    browser or API login and is left to the next backend, unthrottled."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the address that the proxy named in CONCORD_CLIENT_IP_HEADER appended
    last (the earlier ones are whatever the client sent)."""
    header = settings.CONCORD_CLIENT_IP_HEADER
    forwarded = request.META.get(header, "") if header else ""
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    minutes = settings.CONCORD_LOGIN_COOLOFF_MINUTES
    message = _("Too many failed logins. Try again in %(n)d minutes, or ask a manager to "
                "unlock the account.") % {"n": minutes}
    headers = {"Retry-After": str(minutes * 60)}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": []}, status=429, headers=headers)
    response = render(request, "registration/locked_out.html", {"message": message},
                      status=429)
    response["Retry-After"] = headers["Retry-After"]
    return response
