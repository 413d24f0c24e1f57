"""Agreement inside a slice of the documents (for instance the documents whose meta field
``source`` is ``news``): the same report on a subset of the corpus, without the bootstrap
and the token-level agreement, reduced to its headline numbers."""

from typing import Any

import numpy as np

from annotation.pure.agreement.inputs import Corpus, LabelMeta
from annotation.pure.agreement.relations import RelationTable
from annotation.pure.agreement.report import corpus_report
from annotation.pure.agreement.spans import SpanTable

# headline name -> the path to it in a report
HEADLINE: dict[str, tuple[str, ...]] = {
    "sentiment_alpha": ("sentiment", "krippendorff_alpha", "nominal"),
    "sentiment_kappa": ("sentiment", "cohen_kappa", "mean"),
    "percent_agreement": ("sentiment", "percent_agreement"),
    "entity_f1": ("entities", "f1_exact", "mean"),
    "relation_f1": ("relations", "f1", "mean"),
}
# the notes that explain each headline number: statistics named exactly, or under a prefix
# (one note per pair of annotators)
NOTES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sentiment_alpha": (("sentiment.krippendorff_alpha", "sentiment.krippendorff_alpha.nominal",
                         "sentiment.krippendorff_alpha.masi", "sentiment.items"), ()),
    "sentiment_kappa": (("sentiment.cohen_kappa", "sentiment.items"),
                        ("sentiment.cohen_kappa.",)),
    "percent_agreement": (("sentiment.percent_agreement", "sentiment.items"), ()),
    "fleiss_kappa": (("sentiment.fleiss_kappa", "sentiment.items"), ()),
    "entity_f1": (("entities.f1_exact",), ("entities.f1_exact.",)),
    "entity_f1_overlap": (("entities.f1_overlap",), ("entities.f1_overlap.",)),
    "relation_f1": (("relations.f1",), ("relations.f1.",)),
}
EVERYWHERE = ("annotators", "labels")


def notes_for(notes: list[dict[str, str]], name: str, most: int = 3) -> list[str]:
    """The distinct messages of the notes about headline number ``name``, at most ``most``."""
    exact, prefixes = NOTES[name]
    found: dict[str, None] = {}
    for note in notes:
        stat = note["statistic"]
        if stat in exact or stat in EVERYWHERE or (prefixes and stat.startswith(prefixes)):
            found.setdefault(note["message"], None)
    return list(found)[:most]


def subset(corpus: Corpus, keep: np.ndarray) -> Corpus:
    """The corpus restricted to the documents where ``keep`` (one bool per document) holds,
    and to the annotators who submitted one of them. Texts are dropped (no token level)."""
    docs = np.flatnonzero(keep)
    doc_pos = np.full(len(keep), -1, dtype=np.int64)
    doc_pos[docs] = np.arange(len(docs))
    submitted = corpus.submitted[:, docs]
    coders = np.flatnonzero(submitted.any(axis=1))
    coder_pos = np.full(len(corpus.annotators), -1, dtype=np.int64)
    coder_pos[coders] = np.arange(len(coders))
    sp, rel = corpus.spans, corpus.relations
    s = keep[sp.doc] if len(sp) else np.zeros(0, dtype=bool)
    r = keep[rel.doc] if len(rel) else np.zeros(0, dtype=bool)
    spans = SpanTable(doc_pos[sp.doc[s]], coder_pos[sp.coder[s]], sp.start[s], sp.end[s],
                      sp.label[s])
    relations = RelationTable(doc_pos[rel.doc[r]], coder_pos[rel.coder[r]], rel.head_start[r],
                              rel.head_end[r], rel.head_label[r], rel.tail_start[r],
                              rel.tail_end[r], rel.tail_label[r], rel.label[r])
    return Corpus(doc_ids=[corpus.doc_ids[i] for i in docs.tolist()],
                  annotators=[corpus.annotators[i] for i in coders.tolist()],
                  submitted=submitted[coders], sentiment=corpus.sentiment[coders][:, docs],
                  sentiment_labels=list(corpus.sentiment_labels),
                  sentiment_sets=list(corpus.sentiment_sets),
                  entity_labels=list(corpus.entity_labels),
                  relation_labels=list(corpus.relation_labels), spans=spans,
                  relations=relations, texts=None)


def _at(report: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = report
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def headline(report: dict[str, Any], multi_label: bool = False) -> dict[str, Any]:
    """The headline numbers of a report, the items behind them, and the notes of the null
    ones: {"values": {name: float | None}, "n": {...}, "notes": {name: [message]}}."""
    paths = dict(HEADLINE)
    if multi_label:
        paths["sentiment_alpha"] = ("sentiment", "krippendorff_alpha", "masi")
    values = {name: _at(report, path) for name, path in paths.items()}
    n = {"sentiment": _at(report, ("sentiment", "items")),
         "entities": _at(report, ("entities", "documents")),
         "relations": _at(report, ("relations", "documents"))}
    notes = {name: notes_for(report.get("notes", []), name)
             for name, value in values.items() if value is None}
    return {"values": values, "n": n, "notes": notes}


def slice_agreement(corpus: Corpus, labels: LabelMeta, keep: np.ndarray) -> dict[str, Any]:
    """Headline agreement over the documents where ``keep`` holds, and how many there are."""
    part = subset(corpus, keep)
    out = headline(corpus_report(part, labels, replicates=0), labels.multi_label)
    return {**out, "documents": len(part.doc_ids), "annotators": len(part.annotators)}
