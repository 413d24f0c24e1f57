"""The relation agent: logistic regression over ordered pairs of a document's entities.

Candidate pairs are near each other: at most `MAX_GAP` entities apart in text order and at
most `MAX_CHARS` characters between them; a gold relation between farther entities cannot be
proposed (and counts as missed in the metrics). Features: head and tail labels and their
pair, token-distance bucket, order, and the lowercased words between (at most `MAX_WORDS`).
Unrelated pairs are the "none" class. A pair is proposed when its best relation has
p >= 0.5 (its score); a document's confidence is the least, over pairs, of the top class
probability (1.0 without pairs). Cross-validation runs on a seeded sample of at most
`cv_sample` documents (reported as "cv_sample" when it applies), with at most `BIG_FOLDS`
folds from `BIG` documents on; the final model is fitted on a seeded sample of at most
`fit_sample` documents (reported as "trained_sample" when it applies)."""

import random
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
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


@dataclass
class Tokens:
    """A document's tokens as the pair features need them: sorted start and end offsets
    (for bisection) and each token's "w=" feature."""

    starts: list[int]
    ends: list[int]
    words: list[str]

    @classmethod
    def of(cls, text: str) -> "Tokens":
        tokens = tokenize(text)
        return cls([s for s, _ in tokens], [e for _, e in tokens],
                   ["w=" + text[s:e].lower() for s, e in tokens])


@lru_cache(maxsize=4096)
def _label_features(head: str, tail: str) -> tuple[str, str, str]:
    return f"h={head}", f"t={tail}", f"ht={head}|{tail}"


_ORDER = {True: "o=fwd", False: "o=back"}
_DISTANCE = {n: f"d={n}" for n in (0, 1, 2, 4, 8, 16, 32)}


def features(tokens: Tokens, entities: Sequence[Entity], pair: Pair) -> list[str]:
    """The pair's features: labels, token distance bucket, order, and the words between
    (found by bisection on the token offsets)."""
    return [*_own(entities, pair), *_between(tokens, entities, pair)]


def _own(entities: Sequence[Entity], pair: Pair) -> tuple[str, ...]:
    """The features that tell (head, tail) from (tail, head): labels and order."""
    head, tail = entities[pair[0]], entities[pair[1]]
    return (*_label_features(head[2], tail[2]), _ORDER[head <= tail])


def _between(tokens: Tokens, entities: Sequence[Entity], pair: Pair) -> list[str]:
    """The features a pair shares with its mirror: token distance bucket and words between."""
    left, right = sorted((entities[pair[0]], entities[pair[1]]))
    first = bisect_left(tokens.starts, left[1])
    n = max(0, bisect_right(tokens.ends, right[0]) - first)
    out = [_DISTANCE[_bucket(n)], *tokens.words[first:first + min(n, MAX_WORDS)]]
    if n > MAX_WORDS:
        out.append("wl=" + tokens.words[first + n - 1][2:])
    return out


def _gold(doc: GoldDoc) -> dict[Pair, str]:
    gold: dict[Pair, str] = {}
    for head, tail, name in doc.relations:
        gold.setdefault((head, tail), name)
    return gold


@dataclass
class Rows:
    """Every candidate pair as a row of a binary feature matrix (built as it goes, so no
    feature strings are kept), its gold class, and where it is: `where` is an (rows, 3)
    int32 array of document index, head and tail entity index."""

    x: Any  # scipy CSR, float32
    ys: list[str]
    where: np.ndarray
    vocabulary: dict[str, int]


def _rows(docs: Sequence[GoldDoc], vocabulary: dict[str, int] | None = None) -> Rows:
    """`docs`' candidate pairs; with a `vocabulary`, features outside it are dropped,
    without one it is made from these features."""
    from scipy.sparse import csr_matrix

    grow = vocabulary is None
    vocab: dict[str, int] = {} if vocabulary is None else vocabulary

    def ids(found: Sequence[str]) -> list[int]:
        if grow:
            return [vocab.setdefault(f, len(vocab)) for f in found]
        return [vocab[f] for f in found if f in vocab]

    indices, indptr = array("i"), array("q", [0])
    ys: list[str] = []
    where = array("i")
    owns: dict[tuple[str, ...], list[int]] = {}
    for d, doc in enumerate(docs):
        tokens, gold = Tokens.of(doc.text), _gold(doc)
        shared: dict[Pair, list[int]] = {}  # a pair's and its mirror's
        for pair in pairs(doc.entities):
            key = (min(pair), max(pair))
            if key not in shared:
                shared[key] = ids(_between(tokens, doc.entities, pair))
            own = _own(doc.entities, pair)
            if own not in owns:
                owns[own] = ids(own)
            indices.extend(sorted({*shared[key], *owns[own]}))
            indptr.append(len(indices))
            ys.append(gold.get(pair, NONE))
            where.extend((d, *pair))
    x = csr_matrix((np.ones(len(indices), dtype=np.float32),
                    np.frombuffer(indices, dtype=np.int32) if indices else np.zeros(0, np.int32),
                    np.frombuffer(indptr, dtype=np.int64)), shape=(len(ys), len(vocab)))
    return Rows(x, ys, np.frombuffer(where, dtype=np.int32).reshape(-1, 3), vocab)


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
    return _fit(_rows(docs))


def _fit(rows: Rows) -> RelationModel:
    return RelationModel(_vectorizer(rows.vocabulary), _classifier(rows.x, rows.ys))


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
    rows = _rows(docs, _vocabulary(model.vectorizer))
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
    0 (L2), so this is the same as vectorizing each fold's training rows alone."""
    rows = _rows(docs) if rows is None else rows
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
    rows = _rows(fitted)
    if NONE not in rows.ys:
        return refused("every nearby pair of entities is related in the gold; unrelated "
                       "pairs are needed to learn from", len(used))
    model = _fit(rows)
    if len(used) > cv_sample:
        del rows  # the final model's rows, before the cross-validation's are made
        sampled = random.Random(seed).sample(used, cv_sample)
        cv_rows = _rows(sampled)
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
