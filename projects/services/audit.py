"""The audit log: one row per security-relevant change, written in the caller's transaction,
so an event is recorded exactly when the change it describes commits."""

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from projects.models import AuditAction, AuditEvent, Project


@transaction.atomic
def audit_record(*, project: Project | None, actor: User | AnonymousUser | None,
                 action: str, target: str = "", data: dict[str, Any] | None = None
                 ) -> AuditEvent:
    """Record that `actor` did `action` to `target` (a short description such as a username
    or a version name) in `project`. `data` holds the details (old and new values)."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    user = actor if isinstance(actor, User) and actor.pk else None
    return AuditEvent.objects.create(project=project, actor=user, action=action,
                                     target=target[:300], data=data or {})
