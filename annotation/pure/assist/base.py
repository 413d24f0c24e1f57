"""What the agents share: gold documents in, proposals out, and metrics per label."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

ENTITY, RELATION, SENTIMENT = "entity", "relation", "sentiment"


@dataclass(frozen=True)
class GoldDoc:
    """A document with its gold: entities as (start, end, label name), relations as (head
    index, tail index, label name) into `entities`, sentiment as label names."""

    text: str
    entities: tuple[tuple[int, int, str], ...] = ()
    relations: tuple[tuple[int, int, str], ...] = ()
    sentiment: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Proposal:
    """One suggested label. An entity has start and end; a relation has its head's
    (start, end) and its tail's (tail_start, tail_end); sentiment has neither. `score` is in
    [0, 1]."""

    kind: str
    label: str
    score: float
    start: int | None = None
    end: int | None = None
    tail_start: int | None = None
    tail_end: int | None = None


@dataclass
class Predicted:
    """One document's proposals, and how sure the model is of the whole document in [0, 1]
    (for least-confident-first ordering: the least sure decision it made, e.g. the lowest
    max-marginal of any token, or the top class probability)."""

    proposals: list[Proposal]
    confidence: float


@dataclass
class Trained:
    """A training run's outcome. `model` is None when the run was refused (then `reason`
    says why, e.g. too little gold). `metrics` follows DESIGN: f1, precision, recall (micro
    over labels), per_label {name: {precision, recall, f1, support}} and folds."""

    model: Any
    metrics: dict[str, Any]
    trained_on: int
    reason: str = ""


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1; 0 where undefined (no predictions or no gold)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def metrics_from_counts(counts: dict[str, tuple[int, int, int]], folds: int) -> dict[str, Any]:
    """DESIGN's metrics from (tp, fp, fn) per label, micro-averaged over labels."""
    per_label = {}
    for name, (tp, fp, fn) in sorted(counts.items()):
        p, r, f = prf(tp, fp, fn)
        per_label[name] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    p, r, f = prf(tp, fp, fn)
    return {"precision": p, "recall": r, "f1": f, "per_label": per_label, "folds": folds}


def count_matches(gold: Iterable[tuple[Any, str]], predicted: Iterable[tuple[Any, str]],
                  counts: dict[str, list[int]]) -> None:
    """Add one document's (key, label) sets to `counts` ({label: [tp, fp, fn]}); a key is
    what must match exactly (offsets, or offsets of head and tail)."""
    gold_set, predicted_set = set(gold), set(predicted)
    for _key, name in gold_set & predicted_set:
        counts.setdefault(name, [0, 0, 0])[0] += 1
    for _key, name in predicted_set - gold_set:
        counts.setdefault(name, [0, 0, 0])[1] += 1
    for _key, name in gold_set - predicted_set:
        counts.setdefault(name, [0, 0, 0])[2] += 1


def fold_indices(n: int, folds: int, seed: int) -> list[list[int]]:
    """`folds` disjoint test sets covering range(n), shuffled by `seed` (deterministic)."""
    import random

    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [sorted(order[i::folds]) for i in range(folds)]


def refused(reason: str, trained_on: int) -> Trained:
    return Trained(model=None, metrics={}, trained_on=trained_on, reason=reason)


def docs_with(docs: Sequence[GoldDoc], kind: str) -> list[GoldDoc]:
    """The documents whose gold says something about `kind` (any document for entities:
    gold with no entity is a statement that there are none)."""
    if kind == SENTIMENT:
        return [doc for doc in docs if doc.sentiment]
    return list(docs)
