"""The agreement report's notes in the interface's language.

The report is computed by Django-free code (annotation/pure/agreement/), which writes its
notes in English; the API keeps them so. Pages show them translated: each English message
the report can hold is a pattern here, its numbers and names captured and put back into the
translated text. A message no pattern knows is shown as it is.
"""

import re

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

_N = r"(?P<n>\d+)"
NOTES: list[tuple[re.Pattern[str], object]] = [(re.compile(f"^{p}$"), t) for p, t in (
    (rf"rests on {_N} items, fewer than (?P<least>\d+): treat it with caution",
     "rests"),
    (r"overlap match: spans sharing at least one code point \(and the label\), paired "
     r"one-to-one greedily by largest overlap",
     _("overlap match: spans that share at least one code point (and the label), paired one "
       "to one, largest overlap first")),
    (r"a macro average needs labels: unlabelled matching has none",
     _("a macro average needs labels: unlabelled matching has none")),
    (r"documents were given without their text: no token-level agreement",
     _("the documents came without their text: no token-level agreement")),
    (r"undefined", _("undefined")),
    (r"no document submitted by both", _("no document submitted by both")),
    (rf"neither annotated any (?P<what>entity|relation) in the {_N} documents both submitted",
     "neither"),
    (r"no unit has ratings from two annotators",
     _("no document has ratings from two annotators")),
    (r"every rating has the same value, so there is no variation to agree on",
     _("every rating has the same value, so there is no variation to agree on")),
    (r"the two annotators share no rated item", _("the two annotators share no rated item")),
    (r"both annotators gave every shared item the same single category",
     _("both annotators gave every shared item the same single category")),
    (r"multi-label sentiment: each distinct set of labels is one category .*",
     _("multi-label sentiment: each distinct set of labels is one category (exact-set "
       "agreement for percent agreement, kappa, Fleiss and nominal alpha); alpha.masi uses "
       "the MASI distance between sets; per_label gives binary statistics, label present or "
       "absent")),
    (r"fewer than two annotators: agreement is undefined",
     _("fewer than two annotators: agreement is undefined")),
    (r"fewer than two annotators submitted: agreement is undefined",
     _("fewer than two annotators submitted: agreement is undefined")),
    (r"no document has sentiment ratings from two annotators",
     _("no document has sentiment ratings from two annotators")),
    (r"not defined for multi-label sentiment", _("not defined for multi-label sentiment")),
    (r"the sentiment scale is nominal", _("the sentiment scale is nominal")),
    (r"not every sentiment label has a numeric value",
     _("not every sentiment label has a numeric value")),
    (r"no sentiment labels and no sentiment ratings: nothing to compare",
     _("no sentiment labels and no sentiment ratings: nothing to compare")),
    (r"no pair of annotators varies on it", _("no pair of annotators varies on it")),
    (r"units have unequal numbers of ratings: Fleiss' kappa is computed over the "
     r"(?P<kept>\d+) of (?P<total>\d+) units rated by (?P<raters>\d+) annotators"
     r"(?P<few>, too few to compute it)?",
     "fleiss"),
    (r"the project does not run (?P<tasks>[\w, ]+): no (?P<sections>[\w, ]+) section",
     _("the project does not run %(tasks)s: no %(sections)s section")),
    (r"(?P<kind>\w+) labels not in the project's label list were found and kept \(after the "
     r"known ones\): (?P<names>.*)",
     _("%(kind)s labels that are not in the project's label list were found and kept (after "
       "the known ones): %(names)s")),
)]


def _counted(name: str, found: dict[str, str]) -> str:
    n = int(found.get("n") or 0)
    if name == "rests":
        return ngettext("rests on %(n)d item, fewer than %(least)s: treat it with caution",
                        "rests on %(n)d items, fewer than %(least)s: treat it with caution",
                        n) % {"n": n, "least": found["least"]}
    if name == "neither":
        what = _("entity") if found["what"] == "entity" else _("relation")
        return ngettext("neither annotated any %(what)s in the %(n)d document both submitted",
                        "neither annotated any %(what)s in the %(n)d documents both submitted",
                        n) % {"what": what, "n": n}
    text = _("units have unequal numbers of ratings: Fleiss' kappa is computed over the "
             "%(kept)s of %(total)s units rated by %(raters)s annotators") % found
    return text + str(_(", too few to compute it")) if found.get("few") else text


def note_text(message: str) -> str:
    for pattern, translated in NOTES:
        if found := pattern.match(message):
            groups = {k: v for k, v in found.groupdict().items() if v is not None}
            if isinstance(translated, str):
                return _counted(translated, groups)
            return str(translated) % groups if groups else str(translated)
    return message
