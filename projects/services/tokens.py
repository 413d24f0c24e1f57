"""API tokens (rest_framework.authtoken): one per user, created, regenerated and revoked here,
each change audited. A revoked token is deleted, so it stops authenticating at once."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from rest_framework.authtoken.models import Token

from projects.models import AuditAction
from projects.services.audit import audit_record


@transaction.atomic
def token_obtain(*, user: User) -> Token:
    """The user's token, created (and audited) if they have none (POST /api/v1/auth/token/)."""
    token, created = Token.objects.get_or_create(user=user)
    if created:
        audit_record(project=None, actor=user, action=AuditAction.TOKEN_CREATE,
                     target=user.username, data={"via": "api", "key_prefix": token.key[:4]})
    return token


@transaction.atomic
def token_regenerate(*, user: User) -> Token:
    """A new token for the user; the old one, if any, stops working."""
    old = Token.objects.select_for_update().filter(user=user).first()
    if old is not None:
        old.delete()
    token = Token.objects.create(user=user)
    audit_record(project=None, actor=user, action=AuditAction.TOKEN_CREATE,
                 target=user.username,
                 data={"via": "account", "replaced": old is not None,
                       "key_prefix": token.key[:4]})
    return token


@transaction.atomic
def token_revoke(*, user: User, by: User | None = None) -> bool:
    """Delete the user's token; False when they had none (nothing is recorded then)."""
    old = Token.objects.select_for_update().filter(user=user).first()
    if old is None:
        return False
    prefix = old.key[:4]  # the key is the primary key: delete() clears it
    old.delete()
    audit_record(project=None, actor=by or user, action=AuditAction.TOKEN_REVOKE,
                 target=user.username, data={"key_prefix": prefix})
    return True


@transaction.atomic
def tokens_revoke_for_credentials(*, user: User, reason: str, by: User | None = None) -> int:
    """Delete every API token of a user whose credentials changed: `reason` is
    "password_change" or "deactivated". Audited with the acting user when known (`by`, e.g. the
    admin who deactivated the account), none otherwise. Nothing happens with
    CONCORD_REVOKE_TOKENS_ON_PASSWORD_CHANGE off. Returns how many were deleted.

    DRF's Token is the project's only token model; a new one would be revoked here too."""
    if not settings.CONCORD_REVOKE_TOKENS_ON_PASSWORD_CHANGE:
        return 0
    keys = list(Token.objects.select_for_update().filter(user=user)
                .values_list("key", flat=True))
    if not keys:
        return 0
    Token.objects.filter(key__in=keys).delete()
    for key in keys:
        audit_record(project=None, actor=by, action=AuditAction.TOKEN_REVOKE,
                     target=user.username, data={"key_prefix": key[:4], "reason": reason})
    return len(keys)
