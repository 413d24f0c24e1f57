"""The relation agent: logistic regression over ordered pairs of a document's entities.

Candidate pairs and their features are in `pairs`; a gold relation between entities too
far apart to be a candidate cannot be proposed (and counts as missed in the metrics). Only
pairs whose two labels some gold relation joins (in either order, so that the reverse
direction is learnt as unrelated) are candidates (the model keeps the set), so a type pair
never related costs no prediction.
Unrelated pairs are the "none" class. A pair is proposed when its best relation has
p >= 0.5 (its score); a document's confidence is the least, over pairs, of the top class
probability (1.0 without pairs). Cross-validation runs on a seeded sample of at most
`cv_sample` documents (reported as "cv_sample" when it applies), with at most `BIG_FOLDS`
folds from `BIG` documents on; the final model is fitted on a seeded sample of at most
`fit_sample` documents (reported as "trained_sample" when it applies)."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotation.pure.assist import pairs
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
from annotation.pure.assist.pairs import NONE, Rows

MAX_ITER = 200  # L-BFGS iterations of the logistic regression
CV_SAMPLE = 2000  # documents cross-validation runs on, at most (a seeded sample)
FIT_SAMPLE = 5000  # documents the final model is fitted on, at most (a seeded sample)
BIG, BIG_FOLDS = 1000, 2  # from `BIG` documents on, at most `BIG_FOLDS` folds
Entity = tuple[int, int, str]
Pair = tuple[int, int]  # indices into the document's entities


@dataclass
class RelationModel:
    vectorizer: Any
    classifier: Any
    # the (head label, tail label) pairs related in the gold: the only candidates (None in
    # older artifacts: every pair)
    related: frozenset[tuple[str, str]] | None = None


def _same(features: list[str]) -> list[str]:
    return features


def _vectorizer(vocabulary: dict[str, int]) -> Any:
    """A vectorizer of feature lists with this vocabulary (what the model keeps)."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(analyzer=_same, binary=True, dtype=np.float32,
                           vocabulary=vocabulary)


def _vocabulary(vectorizer: Any) -> dict[str, int]:
    fitted: dict[str, int] | None = getattr(vectorizer, "vocabulary_", None)
    return fitted if fitted is not None else vectorizer.vocabulary


def fit(docs: Sequence[GoldDoc]) -> RelationModel:
    related = pairs.related_in(docs)
    return _fit(pairs.rows(docs, related=related), related)


def _fit(rows: Rows, related: frozenset[tuple[str, str]]) -> RelationModel:
    return RelationModel(_vectorizer(rows.vocabulary), _classifier(rows.x, rows.ys), related)


def _classifier(x: Any, ys: Sequence[str] | np.ndarray) -> Any:
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(C=4.0, max_iter=MAX_ITER) if len(set(ys)) > 1 else (
        DummyClassifier(strategy="prior"))
    return classifier.fit(x, list(ys))


def _key(entities: Sequence[Entity], pair: Pair) -> tuple[int, int, int, int]:
    head, tail = entities[pair[0]], entities[pair[1]]
    return head[0], head[1], tail[0], tail[1]


def predict(model: RelationModel, docs: Sequence[GoldDoc]) -> list[Predicted]:
    rows = pairs.rows(docs, _vocabulary(model.vectorizer), getattr(model, "related", None))
    return _proposals(model.classifier, docs, rows.x, rows.where)


def _proposals(classifier: Any, docs: Sequence[GoldDoc], x: Any,
               where: np.ndarray) -> list[Predicted]:
    out = [Predicted([], 1.0) for _ in docs]
    if not len(where):
        return out
    proba = classifier.predict_proba(x)
    classes = list(classifier.classes_)
    confidence = np.ones(len(docs))
    np.minimum.at(confidence, where[:, 0], proba.max(axis=1))
    for d, value in zip(np.unique(where[:, 0]).tolist(),
                        confidence[np.unique(where[:, 0])].tolist(), strict=True):
        out[d].confidence = value
    related = np.array([j for j, name in enumerate(classes) if name != NONE], dtype=np.int64)
    if not len(related):
        return out
    bests = related[proba[:, related].argmax(axis=1)]
    scores = proba[np.arange(len(bests)), bests]
    for r in np.flatnonzero(scores >= 0.5).tolist():
        d, head, tail = where[r].tolist()
        start, end, tail_start, tail_end = _key(docs[d].entities, (head, tail))
        out[d].proposals.append(Proposal(
            kind=RELATION, label=classes[bests[r]], score=min(1.0, float(scores[r])),
            start=start, end=end, tail_start=tail_start, tail_end=tail_end))
    return out


def held_out_relations(docs: Sequence[GoldDoc], folds: int, seed: int,
                       rows: Rows | None = None) -> list[list[Proposal]]:
    """Each document's proposals from a model fitted without its fold. The features are
    numbered once for all folds: a column that a fold's training rows never use gets weight
    0 (L2), so this is the same as vectorizing each fold's training rows alone. The
    candidate label pairs are those related anywhere in `docs` (the rows' `related`)."""
    rows = pairs.rows(docs, related=pairs.related_in(docs)) if rows is None else rows
    predicted: list[list[Proposal]] = [[] for _ in docs]
    if not len(rows.where):
        return predicted
    x = rows.x
    ys = np.array(rows.ys, dtype=object)
    owner = rows.where[:, 0]
    for test in fold_indices(len(docs), folds, seed):
        held = np.isin(owner, test)
        train_rows, test_rows = np.flatnonzero(~held), np.flatnonzero(held)
        classifier = _classifier(x[train_rows], ys[train_rows])
        found = _proposals(classifier, docs, x[test_rows], rows.where[test_rows])
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
          min_relations: int = 50, cv_sample: int = CV_SAMPLE, fit_sample: int = FIT_SAMPLE,
          **options: Any) -> Trained:
    used = [doc for doc in docs if len(doc.entities) > 1]
    total = sum(len(doc.relations) for doc in used)
    if total < min_relations:
        return refused(f"{total} gold relations; at least {min_relations} are needed",
                       len(used))
    fitted = random.Random(seed).sample(used, fit_sample) if len(used) > fit_sample else used
    related = pairs.related_in(used)
    rows = pairs.rows(fitted, related=related)
    if NONE not in rows.ys:
        return refused("every nearby pair of entities is related in the gold; unrelated "
                       "pairs are needed to learn from", len(used))
    model = _fit(rows, related)
    if len(used) > cv_sample:
        del rows  # the final model's rows, before the cross-validation's are made
        sampled = random.Random(seed).sample(used, cv_sample)
        cv_rows = pairs.rows(sampled, related=related)
    else:
        sampled, cv_rows = used, rows
    k = max(2, min(folds, len(sampled) // 5))
    if len(used) >= BIG:
        k = min(k, BIG_FOLDS)
    metrics = relation_metrics(sampled, held_out_relations(sampled, k, seed, cv_rows), k)
    if len(sampled) < len(used):
        metrics["cv_sample"] = len(sampled)
    if len(fitted) < len(used):
        metrics["trained_sample"] = len(fitted)
    return Trained(model=model, metrics=metrics, trained_on=len(used))
