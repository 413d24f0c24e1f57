from django import template

from projects.models import Role

register = template.Library()
ROLE_NAMES = dict(Role.choices)


@register.filter
def role_label(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


@register.filter
def stat(value: object) -> str:
    """A statistic for display: three decimals, and an en dash where it is undefined."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return str(value) if isinstance(value, int) else f"{value:.3f}"
