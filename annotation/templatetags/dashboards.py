from django import template

from annotation.views.display.charts import percent as as_percent

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """A share in [0, 1] as a percentage with one decimal; an en dash where there is none."""
    return as_percent(value)
