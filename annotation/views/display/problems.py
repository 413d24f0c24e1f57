"""The import report's problems in the interface's language.

The readers (annotation/readers/) and the import's checks (annotation/services/imports/,
annotation/pure/content.py) write a problem's message, and a file's error, in English; the
API and the stored job keep them so. Pages show them translated: each English message they
can write is a pattern in problem_patterns.py, its numbers and names captured and put back
into the translated text. A group named in `WORDS` holds an English word that is itself
translated (a JSON type, a label's kind...); other groups (ids, names, offsets, counts,
Python's own reasons) are kept as written. A message no pattern knows is shown as it is.
"""

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from annotation.views.display.problem_patterns import CHECKING, READING

PROBLEMS: list[tuple[re.Pattern[str], Promise]] = [
    (re.compile(pattern), template) for pattern, template in (*READING, *CHECKING)]

_A_KIND = {"an entity": pgettext_lazy("label kind", "an entity"),
           "a relation": pgettext_lazy("label kind", "a relation"),
           "a sentiment": pgettext_lazy("label kind", "a sentiment")}
_KIND = {"entity": _("entity"), "relation": _("relation"), "sentiment": _("sentiment")}

WORDS: dict[str, dict[str, Promise]] = {
    "must": {"a string": pgettext_lazy("value type", "a string"),
             "an integer": pgettext_lazy("value type", "an integer"),
             "an object": pgettext_lazy("value type", "an object"),
             "an array": pgettext_lazy("value type", "an array"),
             "a list": pgettext_lazy("value type", "a list")},
    "got": {"object": pgettext_lazy("JSON type", "object"),
            "array": pgettext_lazy("JSON type", "array"),
            "string": pgettext_lazy("JSON type", "string"),
            "number": pgettext_lazy("JSON type", "number"),
            "boolean": pgettext_lazy("JSON type", "boolean")},
    "kind": _KIND,
    "is_a": _A_KIND,
    "not_a": _A_KIND,
    "labelling": {"annotation": pgettext_lazy("kind of labelling", "annotation"),
                  "gold": _("gold")},
    "task": {"ner": pgettext_lazy("task", "ner"),
             "relations": pgettext_lazy("task", "relations"),
             "sentiment": pgettext_lazy("task", "sentiment")},
    "end": {"head": pgettext_lazy("relation end", "head"),
            "tail": pgettext_lazy("relation end", "tail")},
}


def problem_match(message: str) -> tuple[int, dict[str, str]] | None:
    """The index in `PROBLEMS` of the first pattern that matches the whole message, and its
    groups (the words of `WORDS` translated); None when none does."""
    for index, (pattern, _template) in enumerate(PROBLEMS):
        if found := pattern.fullmatch(message):
            return index, {name: str(WORDS.get(name, {}).get(value, value))
                           for name, value in found.groupdict().items() if value is not None}
    return None


def problem_text(message: str) -> str:
    """A problem's or a file error's message in the interface's language."""
    found = problem_match(message)
    if found is None:
        return message
    index, groups = found
    template = str(PROBLEMS[index][1])
    return template % groups if groups else template
