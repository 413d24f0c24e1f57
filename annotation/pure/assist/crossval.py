"""What the span agents (`dictionary`, `crf`) share: how many folds, the refusal rule, and
cross-validated span predictions scored by exact (start, end, label) match."""

from collections.abc import Callable, Sequence
from typing import Any

from annotation.pure.assist.base import GoldDoc, count_matches, fold_indices, metrics_from_counts

Span = tuple[int, int, str]
MIN_DOCS = 10
MIN_ENTITIES = 10


def fold_count(n: int, folds: int) -> int:
    """At most `folds`, about five held-out documents per fold or more, and at least 2."""
    return max(2, min(folds, n // 5))


def entity_refusal(docs: Sequence[GoldDoc]) -> str:
    """Why `docs` are too few to learn entities from, or "" when they are enough."""
    if len(docs) < MIN_DOCS:
        return f"{len(docs)} gold documents; at least {MIN_DOCS} are needed"
    entities = sum(len(doc.entities) for doc in docs)
    if entities < MIN_ENTITIES:
        return f"{entities} gold entities; at least {MIN_ENTITIES} are needed"
    return ""


def held_out_spans(docs: Sequence[GoldDoc], folds: int, seed: int,
                   fit: Callable[[list[GoldDoc]], Any],
                   spans: Callable[[Any, list[GoldDoc]], list[list[Span]]]) -> list[list[Span]]:
    """Each document's spans as predicted by a model fitted without its fold."""
    predicted: list[list[Span]] = [[] for _ in docs]
    for test in fold_indices(len(docs), folds, seed):
        held = set(test)
        model = fit([doc for i, doc in enumerate(docs) if i not in held])
        for i, found in zip(test, spans(model, [docs[i] for i in test]), strict=True):
            predicted[i] = found
    return predicted


def span_metrics(docs: Sequence[GoldDoc], predicted: Sequence[Sequence[Span]],
                 folds: int) -> dict[str, Any]:
    """Micro and per-label P/R/F1 of exact span matches against the gold."""
    counts: dict[str, list[int]] = {}
    for doc, found in zip(docs, predicted, strict=True):
        count_matches((((s, e), name) for s, e, name in doc.entities),
                      (((s, e), name) for s, e, name in found), counts)
    return metrics_from_counts({k: (v[0], v[1], v[2]) for k, v in counts.items()}, folds)
