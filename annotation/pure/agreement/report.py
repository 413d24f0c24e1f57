"""The agreement report: plain data in, a JSON-serialisable dict out (DESIGN.md's shape).

Besides DESIGN's keys, each section carries ``n`` (the sample size behind each headline
number) and ``ci`` (95% percentile bootstrap intervals over documents for the headline
numbers: alpha, mean kappa, mean F1); the report carries ``notes`` (why a statistic is null,
how it was computed, low-sample warnings) and ``per_document`` disagreement scores.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from annotation.pure.agreement.bootstrap import Statistic, bootstrap
from annotation.pure.agreement.entities import entities_section, relations_section
from annotation.pure.agreement.inputs import Corpus, LabelMeta, parse
from annotation.pure.agreement.section import Section
from annotation.pure.agreement.sentiment import sentiment_section


def agreement_report(documents: Sequence[Mapping[str, Any]], labels: LabelMeta, *,
                     annotators: Sequence[str] | None = None, replicates: int = 1000,
                     seed: int = 0, level: float = 0.95, min_items: int = 30,
                     computed_at: datetime | None = None) -> dict[str, Any]:
    """Agreement between the annotators of ``documents`` (format in inputs.py).

    ``annotators`` fixes the annotator order (default: sorted names of everyone who submitted
    something). ``replicates=0`` skips the bootstrap. A headline number resting on fewer than
    ``min_items`` items gets a low-sample note.
    """
    return corpus_report(parse(documents, labels, annotators), labels, replicates=replicates,
                         seed=seed, level=level, min_items=min_items, computed_at=computed_at)


def corpus_report(corpus: Corpus, labels: LabelMeta, *, replicates: int = 1000, seed: int = 0,
                  level: float = 0.95, min_items: int = 30,
                  computed_at: datetime | None = None) -> dict[str, Any]:
    """The same report from a Corpus of arrays, for callers that read the annotations in
    bulk (the database) and should not build one dict per entity."""
    sections = [build(corpus, labels) for task, build in SECTIONS.items()
                if task in labels.tasks]
    notes: list[dict[str, str]] = [{"statistic": "labels", "message": m} for m in corpus.notes]
    skipped = [name for task, name in SECTION_NAMES.items() if task not in labels.tasks]
    if skipped:
        notes.append({"statistic": "tasks", "message": "the project does not run "
                      + ", ".join(t for t in SECTION_NAMES if t not in labels.tasks)
                      + ": no " + ", ".join(skipped) + " section"})
    if len(corpus.annotators) < 2:
        notes.append({"statistic": "annotators",
                      "message": "fewer than two annotators submitted: agreement is undefined"})
    stats: dict[str, Statistic] = {}
    for s in sections:
        stats.update({f"{s.name}.{key}": f for key, (f, _) in s.bootstrap.items()})
    intervals = bootstrap(stats, len(corpus.doc_ids), replicates, seed, level)
    for s in sections:
        s.data["ci"] = {}
        for key, (_, n) in s.bootstrap.items():
            s.data["ci"][key] = {**intervals[f"{s.name}.{key}"].as_dict(), "n": n}
        _low_sample(s, min_items)
        notes.extend(s.notes)
    return {
        "computed_at": (computed_at or datetime.now(UTC)).isoformat(),
        "documents": len(corpus.doc_ids),
        "annotators": corpus.annotators,
        "tasks": [t for t in SECTION_NAMES if t in labels.tasks],
        **dict.fromkeys(skipped),
        **{s.name: s.data for s in sections},
        "per_document": _per_document(corpus.doc_ids, sections),
        "notes": notes,
        "settings": {"replicates": replicates, "seed": seed, "level": level,
                     "min_items": min_items},
    }


SECTIONS: dict[str, Callable[[Corpus, LabelMeta], Section]] = {
    "sentiment": sentiment_section,
    "ner": lambda corpus, _labels: entities_section(corpus),
    "relations": lambda corpus, _labels: relations_section(corpus),
}
SECTION_NAMES = {"sentiment": "sentiment", "ner": "entities", "relations": "relations"}


def _low_sample(s: Section, min_items: int) -> None:
    for key, n in s.data.get("n", {}).items():
        if 0 < n < min_items:
            s.note(key, f"rests on {n} items, fewer than {min_items}: treat it with caution")


def _per_document(doc_ids: list[Any], sections: list[Section]) -> dict[str, Any]:
    """Disagreement per document: 1 - the mean of its available agreements, each in [0, 1]:
    sentiment (share of agreeing rating pairs, or 1 - mean MASI distance when multi-label),
    entities and relations (mean pairwise exact F1, 1 when neither annotated anything). A
    component counts only if the corpus has data for it; None below two submissions."""
    parts = {s.name: s.per_document for s in sections if s.per_document is not None}
    out: dict[str, Any] = {"ids": doc_ids}
    if parts:
        stacked = np.stack(list(parts.values()))
        defined = ~np.isnan(stacked)
        n = defined.sum(axis=0)
        mean = np.where(defined, stacked, 0.0).sum(axis=0) / np.maximum(n, 1)
        disagreement = np.where(n > 0, 1.0 - mean, np.nan)
    else:
        disagreement = np.full(len(doc_ids), np.nan)
    out["disagreement"] = _floats(disagreement)
    for name, agreement in parts.items():
        out[f"{name}_agreement"] = _floats(agreement)
    return out


def _floats(a: np.ndarray) -> list[float | None]:
    out = np.asarray(a, dtype=np.float64).astype(object)
    out[np.isnan(a)] = None
    return list(out.tolist())
