"""The role table of DESIGN.md, in one place. Every page and API endpoint asks here.

A non-member gets 404 (the project's existence is not revealed); a member whose role
lacks the right gets 403.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from projects.models import JobKind, Membership, Project, Role


class Right(StrEnum):
    VIEW = "view"  # see the project, its guidelines and stats
    MANAGE = "manage"  # edit the project, labels and members; import
    LABEL = "label"  # label documents assigned to them
    BROWSE = "browse"  # list the project's documents (not in DESIGN's table; see docs)
    SEE_OTHERS = "see_others"  # see other people's annotations
    ADJUDICATE = "adjudicate"  # write gold
    AGREEMENT = "agreement"  # read agreement reports and the data-balance view
    RECOMPUTE = "recompute"  # start an agreement computation (not for read-only consumers)
    EXPORT = "export"  # exports and dataset versions
    PROGRESS = "progress"  # the progress dashboard (not in DESIGN's table; see docs)


ROLE_RIGHTS: dict[str, frozenset[Right]] = {
    Role.MANAGER: frozenset(Right),
    Role.REVIEWER: frozenset({Right.VIEW, Right.LABEL, Right.BROWSE, Right.SEE_OTHERS,
                              Right.ADJUDICATE, Right.AGREEMENT, Right.RECOMPUTE,
                              Right.PROGRESS}),
    Role.ANNOTATOR: frozenset({Right.VIEW, Right.LABEL}),
    Role.CONSUMER: frozenset({Right.VIEW, Right.BROWSE, Right.AGREEMENT, Right.EXPORT,
                              Right.PROGRESS}),
}

# Which right lets a member follow a background job of each kind.
JOB_RIGHTS: dict[str, Right] = {
    JobKind.IMPORT: Right.MANAGE,
    JobKind.EXPORT: Right.EXPORT,
    JobKind.AGREEMENT: Right.AGREEMENT,
    JobKind.PROJECT_DELETE: Right.MANAGE,
    JobKind.TRAIN: Right.AGREEMENT,
    JobKind.BULK: Right.MANAGE,
}

Requester = User | AnonymousUser


@dataclass(frozen=True)
class Access:
    project: Project
    role: str

    def can(self, right: Right) -> bool:
        return right in ROLE_RIGHTS[self.role]

    def require(self, right: Right) -> None:
        """403 unless the role has `right` (for views whose methods need different rights)."""
        if not self.can(right):
            raise PermissionDenied(_("Your role (%(role)s) may not do this.")
                                   % {"role": self.role})

    @property
    def rights(self) -> frozenset[Right]:
        return ROLE_RIGHTS[self.role]


def role_of(*, user: Requester, project: Project) -> str | None:
    """The user's role in the project; superusers act as managers everywhere."""
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.MANAGER
    return (
        Membership.objects.filter(project=project, user=user)
        .values_list("role", flat=True)
        .first()
    )


MAX_ID = 2**63 - 1
PROJECT_AND_ROLE_SQL = (
    f'SELECT p.*, m.role AS member_role FROM "{Project._meta.db_table}" p '
    f'LEFT JOIN "{Membership._meta.db_table}" m ON m.project_id = p.id AND m.user_id = %s '
    f"WHERE p.id = %s AND p.deleted_at IS NULL")


def _project_and_role(user: Requester, project_id: int) -> tuple[Project | None, str | None]:
    """The live project and the user's role in it, in one query. Raw SQL: every page and
    API request asks this, and building the ORM's query cost five times running it."""
    if not user.is_authenticated or not 0 < project_id <= MAX_ID:  # the ORM's range check
        return None, None
    project = next(iter(Project.objects.raw(PROJECT_AND_ROLE_SQL, [user.pk, project_id])), None)
    if project is None:
        return None, None
    if getattr(user, "is_superuser", False):
        return project, Role.MANAGER
    return project, project.member_role  # type: ignore[attr-defined]


def authorize(*, user: Requester, project_id: int, right: Right) -> Access:
    """Load the live project and check `right`: Http404 for non-members, 403 without it."""
    project, role = _project_and_role(user, project_id)
    if project is None or role is None:
        raise Http404("No such project.")
    access = Access(project=project, role=role)
    access.require(right)
    return access


def can_use_admin(user: Requester) -> bool:
    """Whether the Django admin has something for the user: staff with a permission in one of
    the apps it shows (a superuser has them all). A manager made staff only to create
    projects would find it empty ("You don't have permission to view or edit anything")."""
    if not user.is_active or not getattr(user, "is_staff", False):
        return False
    from django.contrib import admin

    return any(user.has_module_perms(label)
               for label in {model._meta.app_label for model in admin.site._registry})


def can_create_projects(user: Requester) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False):
        return True
    return settings.CONCORD_PROJECT_CREATORS == "any"
