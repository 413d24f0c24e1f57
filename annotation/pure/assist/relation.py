"""The relation agent: logistic regression over ordered pairs of a document's entities.

Candidate pairs are near each other: at most `MAX_GAP` entities apart in text order and at
most `MAX_CHARS` characters between them; a gold relation between farther entities cannot be
proposed (and counts as missed in the metrics). Features: head and tail labels and their
pair, token-distance bucket, order, and the lowercased words between (at most `MAX_WORDS`).
Unrelated pairs are the "none" class. A pair is proposed when its best relation has
p >= 0.5 (its score); a document's confidence is the least, over pairs, of the top class
probability (1.0 without pairs)."""

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotation.pure.assist.base import (
    RELATION,
    GoldDoc,
    Predicted,
    Proposal,
    Trained,
    count_matches,
    fold_indices,
    metrics_from_counts,
    refused,
)
from annotation.pure.tokens import tokenize

NONE = "\x00none"  # the class of unrelated pairs; no label name can be it
MAX_GAP, MAX_CHARS, MAX_WORDS = 4, 200, 8
Entity = tuple[int, int, str]
Pair = tuple[int, int]  # indices into the document's entities


@dataclass
class RelationModel:
    vectorizer: Any
    classifier: Any


def pairs(entities: Sequence[Entity]) -> Iterator[Pair]:
    """Ordered candidate (head, tail) pairs of entity indices."""
    order = sorted(range(len(entities)), key=lambda i: entities[i][:2])
    for a, i in enumerate(order):
        for j in order[a + 1:a + 1 + MAX_GAP]:
            first, second = entities[i], entities[j]
            if second[0] - first[1] <= MAX_CHARS:
                yield i, j
                yield j, i


def _bucket(n: int) -> int:
    """0, 1, 2, then powers of two up to 32 (3 -> 2, 5 -> 4, 100 -> 32)."""
    return min(32, 1 << (n.bit_length() - 1)) if n else 0


def features(text: str, tokens: list[tuple[int, int]], starts: list[int],
             entities: Sequence[Entity], pair: Pair) -> list[str]:
    head, tail = entities[pair[0]], entities[pair[1]]
    left, right = sorted((head, tail))
    first = bisect_left(starts, left[1])
    between = []
    for s, e in tokens[first:]:
        if e > right[0]:
            break
        between.append(text[s:e].lower())
    out = [f"h={head[2]}", f"t={tail[2]}", f"ht={head[2]}|{tail[2]}",
           f"d={_bucket(len(between))}", f"o={'fwd' if head <= tail else 'back'}"]
    out += [f"w={word}" for word in between[:MAX_WORDS]]
    if len(between) > MAX_WORDS:
        out.append(f"wl={between[-1]}")
    return out


def _gold(doc: GoldDoc) -> dict[Pair, str]:
    gold: dict[Pair, str] = {}
    for head, tail, name in doc.relations:
        gold.setdefault((head, tail), name)
    return gold


@dataclass
class Rows:
    """Features, gold class and (document index, pair) of every candidate pair."""

    xs: list[list[str]]
    ys: list[str]
    where: list[tuple[int, Pair]]

    def without(self, held: set[int]) -> "Rows":
        keep = [r for r, (d, _) in enumerate(self.where) if d not in held]
        return Rows([self.xs[r] for r in keep], [self.ys[r] for r in keep],
                    [self.where[r] for r in keep])


def _rows(docs: Sequence[GoldDoc]) -> Rows:
    xs, ys, where = [], [], []
    for d, doc in enumerate(docs):
        tokens, gold = tokenize(doc.text), _gold(doc)
        starts = [s for s, _ in tokens]
        for pair in pairs(doc.entities):
            xs.append(features(doc.text, tokens, starts, doc.entities, pair))
            ys.append(gold.get(pair, NONE))
            where.append((d, pair))
    return Rows(xs, ys, where)


def _same(features: list[str]) -> list[str]:
    return features


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(analyzer=_same, binary=True, dtype=np.float64)


def fit(docs: Sequence[GoldDoc]) -> RelationModel:
    return _fit(_rows(docs))


def _fit(rows: Rows) -> RelationModel:
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression

    vectorizer = _vectorizer()
    x = vectorizer.fit_transform(rows.xs)
    classifier = LogisticRegression(C=4.0, max_iter=1000) if len(set(rows.ys)) > 1 else (
        DummyClassifier(strategy="prior"))
    return RelationModel(vectorizer, classifier.fit(x, rows.ys))


def _key(entities: Sequence[Entity], pair: Pair) -> tuple[int, int, int, int]:
    head, tail = entities[pair[0]], entities[pair[1]]
    return head[0], head[1], tail[0], tail[1]


def predict(model: RelationModel, docs: Sequence[GoldDoc]) -> list[Predicted]:
    return _propose(model, docs, _rows(docs))


def _propose(model: RelationModel, docs: Sequence[GoldDoc], rows: Rows) -> list[Predicted]:
    out = [Predicted([], 1.0) for _ in docs]
    if not rows.xs:
        return out
    proba = model.classifier.predict_proba(model.vectorizer.transform(rows.xs))
    classes = list(model.classifier.classes_)
    related = [j for j, name in enumerate(classes) if name != NONE]
    for row, (d, pair) in zip(proba, rows.where, strict=True):
        out[d].confidence = min(out[d].confidence, float(np.max(row)))
        best = max(related, key=lambda j: row[j], default=None)
        if best is not None and row[best] >= 0.5:
            start, end, tail_start, tail_end = _key(docs[d].entities, pair)
            out[d].proposals.append(Proposal(
                kind=RELATION, label=classes[best], score=min(1.0, float(row[best])),
                start=start, end=end, tail_start=tail_start, tail_end=tail_end))
    return out


def held_out_relations(docs: Sequence[GoldDoc], folds: int, seed: int,
                       rows: Rows | None = None) -> list[list[Proposal]]:
    """Each document's proposals from a model fitted without its fold."""
    rows = _rows(docs) if rows is None else rows
    predicted: list[list[Proposal]] = [[] for _ in docs]
    for test in fold_indices(len(docs), folds, seed):
        held = set(test)
        model = _fit(rows.without(held))
        found = _propose(model, docs, rows.without(set(range(len(docs))) - held))
        for i in test:
            predicted[i] = found[i].proposals
    return predicted


def relation_metrics(docs: Sequence[GoldDoc], predicted: Sequence[Sequence[Proposal]],
                     folds: int) -> dict[str, Any]:
    counts: dict[str, list[int]] = {}
    for doc, found in zip(docs, predicted, strict=True):
        gold = ((_key(doc.entities, (h, t)), name) for h, t, name in doc.relations)
        guess = (((p.start, p.end, p.tail_start, p.tail_end), p.label) for p in found)
        count_matches(gold, guess, counts)
    return metrics_from_counts({k: (v[0], v[1], v[2]) for k, v in counts.items()}, folds)


def train(docs: Sequence[GoldDoc], *, folds: int = 5, seed: int = 0,
          min_relations: int = 50, **options: Any) -> Trained:
    used = [doc for doc in docs if len(doc.entities) > 1]
    total = sum(len(doc.relations) for doc in used)
    if total < min_relations:
        return refused(f"{total} gold relations; at least {min_relations} are needed",
                       len(used))
    rows = _rows(used)
    if NONE not in rows.ys:
        return refused("every nearby pair of entities is related in the gold; unrelated "
                       "pairs are needed to learn from", len(used))
    k = max(2, min(folds, len(used) // 5))
    metrics = relation_metrics(used, held_out_relations(used, k, seed, rows), k)
    return Trained(model=_fit(rows), metrics=metrics, trained_on=len(used))
