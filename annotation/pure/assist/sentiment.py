"""The sentiment (document classification) agent: character n-grams within word boundaries
(so CJK needs no segmenter) weighted by sublinear TF-IDF, and logistic regression.

- nominal, single label: one multinomial model; the top class is proposed with its
  probability, which is also the document's confidence;
- multi-label: one binary model per label; labels with p >= 0.5 are proposed, and the
  confidence is the least sure of the per-label decisions, min max(p, 1 - p);
- ordinal (`ordinal` lists the labels in scale order): K - 1 cumulative binary models
  P(y > k) (Frank & Hall 2001) give the class probabilities; the top class is proposed.

A binary target that never varies in the training data is a constant (its prior).
Bounded cost: see `Vectorizer`; `MAX_ITER` saga epochs; and
cross-validation on a seeded sample of at most `cv_sample` documents (reported as
"cv_sample" when it applies) with at most `BIG_FOLDS` folds from `BIG` documents on."""

import random
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotation.pure.assist.base import (
    SENTIMENT,
    GoldDoc,
    Predicted,
    Proposal,
    Trained,
    count_matches,
    docs_with,
    fold_indices,
    metrics_from_counts,
    refused,
)

MIN_DOCS = 10
MAX_FEATURES = 50_000  # the most frequent n-grams kept
VOCAB_SAMPLE = 3000  # documents the vocabulary and IDF are fitted on, at most
CHUNK = 1000  # documents vectorized at a time
MAX_ITER = 30  # saga epochs: enough on TF-IDF rows (unit length); more buys nothing measurable
CV_SAMPLE = 2000  # documents cross-validation runs on, at most (a seeded sample)
BIG, BIG_FOLDS = 1000, 2  # from `BIG` documents on, at most `BIG_FOLDS` folds
NOMINAL, MULTI, ORDINAL = "nominal", "multi_label", "ordinal"


@dataclass
class SentimentModel:
    mode: str
    labels: list[str]  # the classes, in scale order when ordinal
    vectorizer: Any
    classifiers: list[Any]  # one multinomial model, or one binary model per label/threshold


class Vectorizer:
    """Sublinear TF-IDF of character n-grams within word boundaries: the `MAX_FEATURES` most
    frequent (float32), vocabulary and IDF fitted on at most `VOCAB_SAMPLE` evenly spaced
    documents, and the matrix made `CHUNK` documents at a time, so no n-gram list of a
    large corpus is ever held whole. Up to `VOCAB_SAMPLE` documents it is exactly
    scikit-learn's TfidfVectorizer."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True,
                                     max_features=MAX_FEATURES, dtype=np.float32)

    def fit_transform(self, texts: Sequence[str]) -> Any:
        if len(texts) <= VOCAB_SAMPLE:  # one pass
            return self.tfidf.fit_transform(list(texts))
        step = -(-len(texts) // VOCAB_SAMPLE) if texts else 1
        self.tfidf.fit(list(texts[::step]))
        return self.transform(texts)

    def transform(self, texts: Sequence[str]) -> Any:
        """The rows, as one CSR matrix whose arrays are filled chunk by chunk."""
        from scipy.sparse import csr_matrix

        chunks = [self.tfidf.transform(list(texts[i:i + CHUNK]))
                  for i in range(0, max(len(texts), 1), CHUNK)]
        if len(chunks) == 1:
            return chunks[0]
        nnz = sum(chunk.nnz for chunk in chunks)
        data = np.empty(nnz, dtype=np.float32)
        indices = np.empty(nnz, dtype=np.int32)
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        at, row = 0, 0
        while chunks:
            chunk = chunks.pop(0)
            data[at:at + chunk.nnz] = chunk.data
            indices[at:at + chunk.nnz] = chunk.indices
            indptr[row + 1:row + 1 + chunk.shape[0]] = chunk.indptr[1:] + at
            at, row = at + chunk.nnz, row + chunk.shape[0]
        return csr_matrix((data, indices, indptr), shape=(len(texts), len(self.tfidf.vocabulary_)))


def _targets(docs: Sequence[GoldDoc], mode: str) -> list[tuple[str, ...]]:
    return [doc.sentiment if mode == MULTI else doc.sentiment[:1] for doc in docs]


def _classifier(x: Any, y: Sequence[Any]) -> Any:
    """Logistic regression, or the prior when `y` never varies."""
    from sklearn.dummy import DummyClassifier
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=10.0, solver="saga", max_iter=MAX_ITER, random_state=0) \
        if len(set(y)) > 1 else DummyClassifier(strategy="prior")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, list(y))


def _columns(model: Any, x: Any, classes: Sequence[Any]) -> np.ndarray:
    """The model's probabilities of `classes`, in that order (0 for a class it never saw)."""
    proba, seen = model.predict_proba(x), list(model.classes_)
    out = np.zeros((x.shape[0], len(classes)))
    for j, name in enumerate(classes):
        if name in seen:
            out[:, j] = proba[:, seen.index(name)]
    return out


def fit(docs: Sequence[GoldDoc], mode: str, labels: list[str]) -> SentimentModel:
    vectorizer = Vectorizer()
    x = vectorizer.fit_transform([doc.text for doc in docs])
    return SentimentModel(mode, labels, vectorizer, _classifiers(x, _targets(docs, mode), mode,
                                                                 labels))


def _classifiers(x: Any, targets: Sequence[tuple[str, ...]], mode: str,
                 labels: list[str]) -> list[Any]:
    if mode == NOMINAL:
        return [_classifier(x, [t[0] for t in targets])]
    if mode == MULTI:
        return [_classifier(x, [int(name in t) for t in targets]) for name in labels]
    rank = [labels.index(t[0]) for t in targets]
    return [_classifier(x, [int(r > k) for r in rank]) for k in range(len(labels) - 1)]


def probabilities(model: SentimentModel, texts: Sequence[str]) -> np.ndarray:
    """(documents, labels) probabilities: a distribution per row unless multi-label."""
    return _probabilities(model, model.vectorizer.transform(list(texts)))


def _probabilities(model: SentimentModel, x: Any) -> np.ndarray:
    if model.mode == NOMINAL:
        return _columns(model.classifiers[0], x, model.labels)
    columns = np.hstack([_columns(c, x, [1]) for c in model.classifiers])
    if model.mode == MULTI:
        return columns
    above = np.hstack([np.ones((x.shape[0], 1)), columns, np.zeros((x.shape[0], 1))])
    proba = np.clip(above[:, :-1] - above[:, 1:], 0.0, None)
    return proba / np.maximum(proba.sum(axis=1, keepdims=True), 1e-12)


def _decide(model: SentimentModel, row: np.ndarray) -> tuple[list[Proposal], float]:
    if model.mode == MULTI:
        proposals = [Proposal(kind=SENTIMENT, label=name, score=float(p))
                     for name, p in zip(model.labels, row, strict=True) if p >= 0.5]
        return proposals, float(np.min(np.maximum(row, 1 - row)))
    top = int(np.argmax(row))
    score = min(1.0, max(0.0, float(row[top])))
    return [Proposal(kind=SENTIMENT, label=model.labels[top], score=score)], score


def predict(model: SentimentModel, docs: Sequence[GoldDoc]) -> list[Predicted]:
    if not docs:
        return []
    rows = probabilities(model, [doc.text for doc in docs])
    return [Predicted(*_decide(model, row)) for row in rows]


def _labels(docs: Sequence[GoldDoc], mode: str, ordinal: list[str] | None) -> list[str]:
    if mode == ORDINAL and ordinal is not None:
        return list(ordinal)
    return sorted({name for t in _targets(docs, mode) for name in t})


def _refusal(docs: Sequence[GoldDoc], labels: list[str]) -> str:
    if len(docs) < MIN_DOCS:
        return f"{len(docs)} gold documents with sentiment; at least {MIN_DOCS} are needed"
    if len(labels) < 2:
        return f"{len(labels)} sentiment label in the gold; at least 2 are needed"
    return ""


def train(docs: Sequence[GoldDoc], *, folds: int = 5, seed: int = 0,
          multi_label: bool = False, ordinal: list[str] | None = None,
          cv_sample: int = CV_SAMPLE, **options: Any) -> Trained:
    mode = MULTI if multi_label else ORDINAL if ordinal else NOMINAL
    used = docs_with(docs, SENTIMENT)
    if mode == ORDINAL and ordinal is not None:
        used = [doc for doc in used if doc.sentiment[0] in ordinal]
    labels = _labels(used, mode, ordinal)
    reason = _refusal(used, labels if mode != ORDINAL else _labels(used, NOMINAL, None))
    if reason:
        return refused(reason, len(used))
    sampled = random.Random(seed).sample(used, cv_sample) if len(used) > cv_sample else used
    k = max(2, min(folds, len(sampled) // 5))
    if len(used) >= BIG:
        k = min(k, BIG_FOLDS)
    counts, ngrams = counted([doc.text for doc in sampled])
    predicted = held_out_labels(sampled, mode, labels, k, seed, counts)
    metrics = label_metrics(_targets(sampled, mode), predicted, k)
    if len(sampled) < len(used):
        metrics["cv_sample"] = len(sampled)
        del counts
        return Trained(model=fit(used, mode, labels), metrics=metrics, trained_on=len(used))
    model = fit_counted(used, mode, labels, counts, ngrams)
    return Trained(model=model, metrics=metrics, trained_on=len(used))


def counted(texts: Sequence[str]) -> tuple[Any, np.ndarray]:
    """The texts' n-gram counts (CSR, documents x n-grams) and the n-grams, in column order."""
    from sklearn.feature_extraction.text import CountVectorizer

    counter = CountVectorizer(analyzer="char_wb", ngram_range=(1, 3), dtype=np.float32)
    counts = counter.fit_transform(list(texts)).tocsr()
    return counts, counter.get_feature_names_out()


def held_out_labels(docs: Sequence[GoldDoc], mode: str, labels: list[str], folds: int,
                    seed: int, counts: Any = None) -> list[list[str]]:
    """Each document's proposed labels from a model fitted without its fold. The texts'
    n-grams are counted once (or given as `counts`); each fold's TF-IDF is then fitted on
    its training rows alone (see `fold_tfidf`)."""
    counts = counted([doc.text for doc in docs])[0] if counts is None else counts
    targets = _targets(docs, mode)
    predicted: list[list[str]] = [[] for _ in docs]
    for test in fold_indices(len(docs), folds, seed):
        train = np.setdiff1d(np.arange(len(docs)), test)
        x_train, x_test = fold_tfidf(counts, train, np.asarray(test))
        model = SentimentModel(mode, labels, None,
                               _classifiers(x_train, [targets[i] for i in train], mode, labels))
        for i, row in zip(test, _probabilities(model, x_test), strict=True):
            predicted[i] = [p.label for p in _decide(model, row)[0]]
    return predicted


def fold_tfidf(counts: Any, train: np.ndarray, test: np.ndarray) -> tuple[Any, Any]:
    """The `train` and `test` rows of `counts` weighted as `Vectorizer` would weigh them
    after fitting on the `train` rows alone."""
    keep, idf = _weighting(counts[train])
    return _weigh(counts[train], keep, idf), _weigh(counts[test], keep, idf)


def _weighting(fitted: Any) -> tuple[np.ndarray, np.ndarray]:
    """The columns kept (the `MAX_FEATURES` n-grams most frequent in `fitted`'s rows, in
    column order) and their smooth IDF over those rows."""
    tf = np.asarray(fitted.sum(axis=0)).ravel()
    used = np.flatnonzero(tf)
    keep = np.sort(used[np.argsort(-tf[used], kind="stable")[:MAX_FEATURES]])
    df = np.bincount(fitted.indices, minlength=fitted.shape[1])[keep]
    return keep, (np.log((1 + fitted.shape[0]) / (1 + df)) + 1).astype(np.float32)


def _weigh(rows: Any, keep: np.ndarray, idf: np.ndarray) -> Any:
    """Sublinear TF times IDF, rows of unit length."""
    from sklearn.preprocessing import normalize

    x = rows[:, keep]
    x.data = (np.log(x.data) + 1) * idf[x.indices]
    return normalize(x, copy=False)


def fit_counted(docs: Sequence[GoldDoc], mode: str, labels: list[str], counts: Any,
                ngrams: np.ndarray) -> SentimentModel:
    """`fit` on `docs` whose n-grams are already counted: the vectorizer gets the
    vocabulary and IDF `_weighting` picks (what its own fitting would pick, but for the
    order of n-grams tied at the `MAX_FEATURES` cut)."""
    keep, idf = _weighting(counts)
    vectorizer = Vectorizer()
    vectorizer.tfidf.vocabulary = {str(ngrams[c]): j for j, c in enumerate(keep.tolist())}
    vectorizer.tfidf.idf_ = idf
    x = _weigh(counts, keep, idf)
    return SentimentModel(mode, labels, vectorizer,
                          _classifiers(x, _targets(docs, mode), mode, labels))


def label_metrics(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]],
                  folds: int) -> dict[str, Any]:
    counts: dict[str, list[int]] = {}
    for i, (truth, found) in enumerate(zip(gold, predicted, strict=True)):
        count_matches(((i, name) for name in truth), ((i, name) for name in found), counts)
    metrics = metrics_from_counts({k: (v[0], v[1], v[2]) for k, v in counts.items()}, folds)
    f1s = [row["f1"] for row in metrics["per_label"].values()]
    metrics["macro_f1"] = sum(f1s) / len(f1s) if f1s else 0.0
    return metrics

