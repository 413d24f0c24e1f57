from django import template

from projects.models import Role

register = template.Library()
ROLE_NAMES = dict(Role.choices)


@register.filter
def role_label(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))
