"""Login throttling (django-axes), docs/security.md.

Failed logins are counted per (username, IP address) and per IP address, on the login page
and the token endpoint alike (both call authenticate() with the request). After
CONCORD_LOGIN_FAILURE_LIMIT failures for a pair, or CONCORD_LOGIN_ADDRESS_FAILURE_LIMIT from
an address (password spraying: one guess for each of many usernames), that pair or address is
refused for CONCORD_LOGIN_COOLOFF_MINUTES: the login page says so, and the token endpoint
answers a JSON 429, both with Retry-After.

Also: revoking API tokens when a password changes (RevokeTokensOnPasswordChange).
"""

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from projects.services import tokens_revoke_for_credentials


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


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits instead of one.

    AXES_LOCKOUT_PARAMETERS lists the (username, address) pair first, then the address alone
    (settings.py). Axes compares the largest count of any of them with one AXES_FAILURE_LIMIT;
    here the pair is held to CONCORD_LOGIN_FAILURE_LIMIT and the address, the sum of the
    failures of every username from it, to CONCORD_LOGIN_ADDRESS_FAILURE_LIMIT. Both are
    counted over the same window, axes' cool-off.

    A successful login resets the pair only: resetting the address (axes' default, with the
    address as a lockout parameter) would let a sprayer who owns one account clear the
    address's count by logging in to it now and then."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        counts = [attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
                  for attempts in self.get_user_attempts(request, credentials)]
        pair = counts[0]
        address = sum(counts[1:])
        address_limit = settings.CONCORD_LOGIN_ADDRESS_FAILURE_LIMIT
        locked = bool(address_limit) and address >= address_limit
        request.concord_address_locked = locked  # type: ignore[attr-defined]  # the message
        if locked:  # axes locks when the count reaches its limit: the pair's
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None
                            ) -> int:
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _deleted = pair.delete()
        return count


class RevokeTokensOnPasswordChange:
    """Not a rule for passwords: a hook. Django calls password_changed() on every configured
    password validator from User.save() after set_password(), whatever the path (the
    password change and reset forms, the admin's password form, `manage.py changepassword`,
    a script's set_password() and save()); a hash upgrade at login is no change and does not
    call it. It revokes the user's API tokens (CONCORD_REVOKE_TOKENS_ON_PASSWORD_CHANGE)."""

    def validate(self, password: str, user: User | None = None) -> None:
        return None

    def get_help_text(self) -> str:
        return _("Changing the password revokes the account's API token.")

    def password_changed(self, password: str, user: User | None = None) -> None:
        if user is not None and user.pk is not None:
            tokens_revoke_for_credentials(user=user, reason="password_change")


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    minutes = settings.CONCORD_LOGIN_COOLOFF_MINUTES
    if getattr(request, "concord_address_locked", False):
        message = _("Too many failed logins from your network address. Try again in "
                    "%(n)d minutes.") % {"n": minutes}
    else:
        message = _("Too many failed logins. Try again in %(n)d minutes, or ask a manager to "
                    "unlock the account.") % {"n": minutes}
    headers = {"Retry-After": str(minutes * 60)}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": []}, status=429, headers=headers)
    response = render(request, "registration/locked_out.html", {"message": message},
                      status=429)
    response["Retry-After"] = headers["Retry-After"]
    return response
