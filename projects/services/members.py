from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from projects.errors import Conflict, ServiceError
from projects.models import AuditAction, Membership, Project, Role
from projects.services.audit import audit_record


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ServiceError.field("role", _("Choose one of: %(r)s.") % {"r": ", ".join(Role.values)})


def _keep_a_manager(membership: Membership) -> None:
    if membership.role != Role.MANAGER:
        return
    # Lock every manager row, so two managers demoting each other cannot both succeed.
    managers = list(Membership.objects.select_for_update()
                    .filter(project=membership.project, role=Role.MANAGER)
                    .values_list("pk", flat=True))
    if not set(managers) - {membership.pk}:
        raise Conflict(_("A project needs at least one manager."))


@transaction.atomic
def member_add(*, project: Project, username: str, role: str,
               by: User | None = None) -> Membership:
    _check_role(role)
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ServiceError.field("username", _("No user named %(u)s.") % {"u": username})
    if hasattr(user, "imported_identity"):  # annotation.models.ImportedIdentity
        raise ServiceError.field("username", _(
            "%(u)s is an imported identity (an annotator named in an imported file), not an "
            "account: it cannot be a member of a project.") % {"u": username})
    if Membership.objects.filter(project=project, user=user).exists():
        raise Conflict(_("%(u)s is already a member.") % {"u": username},
                       [{"field": "username", "message": _("Already a member.")}])
    membership = Membership.objects.create(project=project, user=user, role=role)
    audit_record(project=project, actor=by, action=AuditAction.MEMBER_ADD, target=username,
                 data={"role": role})
    return membership


@transaction.atomic
def member_update(*, membership: Membership, role: str,
                  by: User | None = None) -> Membership:
    _check_role(role)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role != membership.role:
        _keep_a_manager(membership)
        audit_record(project=membership.project, actor=by, action=AuditAction.ROLE_CHANGE,
                     target=membership.user.username, data={"from": membership.role, "to": role})
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, by: User | None = None) -> None:
    _keep_a_manager(membership)
    audit_record(project=membership.project, actor=by, action=AuditAction.MEMBER_REMOVE,
                 target=membership.user.username, data={"role": membership.role})
    membership.delete()
