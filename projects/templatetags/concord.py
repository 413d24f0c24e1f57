from django import template

from projects import permissions
from projects.display import FORMAT_NAMES, KIND_NAMES, SCOPE_NAMES, STATUS_NAMES, TASK_NAMES
from projects.models import AuditAction, Role

register = template.Library()
ROLE_NAMES = dict(Role.choices)
ACTION_NAMES = dict(AuditAction.choices)


@register.filter
def can_use_admin(user: permissions.Requester) -> bool:
    """The navigation's Admin link: only for staff the admin has something for."""
    return permissions.can_use_admin(user)


@register.filter
def role_label(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


@register.filter
def action_label(action: str) -> str:
    """An audit action's name: get_action_display builds the choices afresh each call."""
    return str(ACTION_NAMES.get(action, action))


@register.filter
def stat(value: object) -> str:
    """A statistic for display: three decimals, and an en dash where it is undefined."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return str(value) if isinstance(value, int) else f"{value:.3f}"


@register.filter
def task_label(task: str) -> str:
    return str(TASK_NAMES.get(task, task))


@register.filter
def kind_label(kind: str) -> str:
    return str(KIND_NAMES.get(kind, kind))


@register.filter
def status_label(status: str) -> str:
    """A document's, an annotation's, an assignment's or a job's status."""
    return str(STATUS_NAMES.get(status, status))


@register.filter
def format_label(fmt: str) -> str:
    return str(FORMAT_NAMES.get(fmt, fmt))


@register.filter
def scope_label(scope: str) -> str:
    return str(SCOPE_NAMES.get(scope, scope))
