from django import template

from annotation.views.display.charts import percent as as_percent
from annotation.views.display.notes import note_text as _note_text
from annotation.views.display.problems import problem_text as _problem_text

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """A share in [0, 1] as a percentage with one decimal; an en dash where there is none."""
    return as_percent(value)


@register.filter
def note_text(message: str) -> str:
    """An agreement note in the interface's language (views/display/notes.py)."""
    return _note_text(str(message))


@register.filter
def problem_text(message: str) -> str:
    """An import problem's or file error's message in the interface's language
    (views/display/problems.py)."""
    return _problem_text(str(message))
