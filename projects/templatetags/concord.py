from collections.abc import Callable, Mapping
from typing import Any

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


def _named(table: Mapping[str, Any]) -> Callable[[str], str]:
    """A filter showing a stored code by its name in `table` (the code itself if unknown)."""
    return lambda code: str(table.get(code, code))


# task_label, kind_label, status_label (a document's, annotation's, assignment's or job's),
# format_label and scope_label
for _name, _table in (("task_label", TASK_NAMES), ("kind_label", KIND_NAMES),
                      ("status_label", STATUS_NAMES), ("format_label", FORMAT_NAMES),
                      ("scope_label", SCOPE_NAMES)):
    register.filter(_name, _named(_table))
