"""Agents measured like annotators: each agent against gold and against each human.

Pure numpy, no Django. The human statistics are never touched: an agent is compared pair by
pair, with the same counting as a pair of annotators (entities.py, sentiment.py), and the
result is a separate ``agents`` part of the report::

    {"crf": {"version": 3, "kind": "crf", "documents": 40, "tasks": ["ner"], "notes": [],
             "vs_gold": PAIR,
             "vs_annotators": [{**PAIR, "annotator": "alice"}, ...]}}

A PAIR has ``a`` (the reference: "gold" or the annotator), ``b`` (the agent), ``documents``
(the documents both have) and one block per task the agent is measured on (the others are
None)::

    "entities": {"f1_exact": {a, b, value, macro, precision, recall, items, matched, count_a,
                              count_b, ci}, "f1_overlap": {...},
                 "per_label": {label: {f1_exact, f1_overlap, precision, recall, count_a,
                                       count_b}}}
    "relations": {"f1": {...}, "per_label": {label: {f1, precision, recall, count_a, count_b}}}
    "sentiment": {"cohen_kappa": {a, b, value, items, ci}, "percent_agreement",
                  "krippendorff_alpha": {nominal, ordinal, interval[, masi]},
                  "per_label": {label: {kappa, count_a, count_b}}}

The pair dicts carry the same keys, computed by the same functions, as a pair of annotators
in the human sections; precision and recall take the reference (``a``) as truth, so they are
the agent's precision and recall. ``ci`` is a 95% percentile bootstrap over the documents
the pair shares.

An agent's labellings are in inputs.py's per-annotator form: per document id, a content
with ``entities`` ((start, end, label) triples or dicts), ``relations`` (``head``/``tail``
as entity ids of that content, or as (start, end, label) triples) and ``sentiment`` (a name,
a list of names, or None). A document absent from an agent's labellings was not labelled
by it (like a document an annotator did not submit); a document present with no entities
counts with zero entities.
"""

from annotation.pure.agreement.agents.pairs import agents_report
from annotation.pure.agreement.agents.sides import AgentLabellings

__all__ = ["AgentLabellings", "agents_report"]
