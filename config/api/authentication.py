"""Token authentication with the token and its user read in one raw query.

DRF's TokenAuthentication builds an ORM query (select_related) on every API request; on the
workbench's hot path (next document, autosave) that query building cost more CPU than the
database. The answers are DRF's: "Invalid token." and "User inactive or deleted." (401).

A deactivated user's token is revoked (deleted, audited) when it is next presented, with
CONCORD_REVOKE_TOKENS_ON_PASSWORD_CHANGE on: the admin revokes it at deactivation, a script
that sets is_active may not (docs/security.md)."""

from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from projects.services import tokens_revoke_for_credentials

SQL = (f'SELECT u.* FROM "{User._meta.db_table}" u '
       f'JOIN "{Token._meta.db_table}" t ON t.user_id = u.id WHERE t.key = %s')


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[User, Any]:
        user = next(iter(User.objects.raw(SQL, [key])), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            tokens_revoke_for_credentials(user=user, reason="deactivated")
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token.from_db("default", ["key", "user_id"], [key, user.pk])  # created: deferred
        token.user = user
        return user, token
