"""Gold checks: when to hand an annotator a check, and how their answer scores against gold.

A check turn is drawn from a hash of a secret seed and the number of documents the annotator
was handed so far, so the mix is reproducible (the same seed and count give the same answer),
about ``rate`` of the turns are checks, and an annotator cannot predict them without the seed.

Scores reuse the agreement module's exact matching: entities match on (start, end, label),
relations on (head span, tail span, relation label), as agreement's F1 does between two
annotators; here the gold is annotator 0 and the answer annotator 1.
"""

import hashlib
from dataclasses import dataclass

import numpy as np

from annotation.pure.agreement.relations import RelationTable, relation_pair_counts
from annotation.pure.agreement.spans import SpanTable, span_pair_counts
from annotation.pure.content import Content

SCALE = float(2**64)


def draw(seed: str, n: int) -> float:
    """A uniform number in [0, 1) for the annotator's n-th handed document."""
    digest = hashlib.sha256(f"{seed}:{n}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / SCALE


def check_turn(*, seed: str, n: int, rate: float) -> bool:
    """Whether the n-th document handed to an annotator (counting from 0) is a check."""
    return rate > 0 and draw(seed, n) < rate


@dataclass(frozen=True)
class Score:
    """One answer against the gold. F1 is None for a task the project does not run, and 1.0
    when both the gold and the answer have no entities (relations): nothing to find, nothing
    found, as agreement's per-document score counts it."""

    gold_entities: int
    entities: int
    matched_entities: int
    entity_f1: float | None
    gold_relations: int
    relations: int
    matched_relations: int
    relation_f1: float | None
    sentiment_correct: bool | None


def _f1(matched: int, gold: int, found: int) -> float:
    return 1.0 if gold + found == 0 else 2.0 * matched / (gold + found)


def _labels(*values: list[int]) -> tuple[list[np.ndarray], int]:
    """Label ids as small indexes (the counters bin by label)."""
    ids = {v: i for i, v in enumerate(sorted({v for vs in values for v in vs}))}
    return [np.array([ids[v] for v in vs], dtype=np.int64) for vs in values], max(len(ids), 1)


def entity_matches(gold: Content, answer: Content) -> int:
    """Entities of the answer equal to one of the gold's in start, end and label."""
    if not gold.entities or not answer.entities:
        return 0
    both = gold.entities + answer.entities
    [label], n_labels = _labels([lb for _, _, lb in both])
    coder = np.array([0] * len(gold.entities) + [1] * len(answer.entities), dtype=np.int64)
    spans = SpanTable(doc=np.zeros(len(both), dtype=np.int64), coder=coder,
                      start=np.array([s for s, _, _ in both], dtype=np.int64),
                      end=np.array([e for _, e, _ in both], dtype=np.int64), label=label)
    counts = span_pair_counts(spans, 0, 1, np.array([True]), n_labels, "exact", True)
    return int(counts.tp.sum())


def relation_matches(gold: Content, answer: Content) -> int:
    """Relations of the answer whose head, tail (exact spans with their labels) and label
    equal one of the gold's."""
    if not gold.relations or not answer.relations:
        return 0
    rows = [(0, gold.entities[h], gold.entities[t], lb) for h, t, lb in gold.relations]
    rows += [(1, answer.entities[h], answer.entities[t], lb) for h, t, lb in answer.relations]
    [head_l, tail_l], _ = _labels([r[1][2] for r in rows], [r[2][2] for r in rows])
    [label], n_labels = _labels([r[3] for r in rows])
    col = lambda f: np.array([f(r) for r in rows], dtype=np.int64)  # noqa: E731
    table = RelationTable(doc=np.zeros(len(rows), dtype=np.int64), coder=col(lambda r: r[0]),
                          head_start=col(lambda r: r[1][0]), head_end=col(lambda r: r[1][1]),
                          head_label=head_l, tail_start=col(lambda r: r[2][0]),
                          tail_end=col(lambda r: r[2][1]), tail_label=tail_l, label=label)
    counts = relation_pair_counts(table, 0, 1, np.array([True]), n_labels)
    return int(counts.tp.sum())


def score(*, gold: Content, answer: Content, tasks: frozenset[str]) -> Score:
    """The answer against the gold, for the project's tasks (ner, relations, sentiment).
    Sentiment is correct when the answer chose exactly the gold's labels (for a
    multi-label project, the same set)."""
    ents = entity_matches(gold, answer) if "ner" in tasks or "relations" in tasks else 0
    rels = relation_matches(gold, answer) if "relations" in tasks else 0
    return Score(
        gold_entities=len(gold.entities), entities=len(answer.entities), matched_entities=ents,
        entity_f1=_f1(ents, len(gold.entities), len(answer.entities))
        if "ner" in tasks else None,
        gold_relations=len(gold.relations), relations=len(answer.relations),
        matched_relations=rels,
        relation_f1=_f1(rels, len(gold.relations), len(answer.relations))
        if "relations" in tasks else None,
        sentiment_correct=set(gold.sentiment) == set(answer.sentiment)
        if "sentiment" in tasks else None)
