"""The sentiment agent: nominal (English, Chinese with emoji), multi-label and ordinal, with
cross-validated metrics equal to scikit-learn's, and refusal."""

import random

import numpy as np
import pytest
from sklearn.metrics import precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

from annotation.pure.assist import sentiment
from annotation.pure.assist.base import GoldDoc
from tests.annotation.pure.assist.corpora import (
    SCALE,
    ordinal_docs,
    sentiment_docs,
    topic_docs,
)


def _noisy(docs: list[GoldDoc], labels: list[str], seed: int, rate: float) -> list[GoldDoc]:
    rng = random.Random(seed)
    return [GoldDoc(d.text, sentiment=(rng.choice(labels),)) if rng.random() < rate else d
            for d in docs]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_learns_nominal_sentiment(lang: str) -> None:
    trained = sentiment.train(sentiment_docs(60, seed=1, lang=lang), folds=3)
    assert trained.model is not None
    assert trained.trained_on == 60
    assert trained.metrics["f1"] > 0.9
    fresh = sentiment_docs(20, seed=9, lang=lang)
    out = sentiment.predict(trained.model, fresh)
    right = sum(o.proposals[0].label == d.sentiment[0] for o, d in zip(out, fresh, strict=True))
    assert right >= 18
    for o in out:
        assert len(o.proposals) == 1
        assert o.confidence == o.proposals[0].score
        assert 0.5 <= o.confidence <= 1


def _sklearn_check(metrics: dict, y_true: object, y_pred: object, names: list[str],
                   labels: list | None = None) -> None:
    """`labels` are the columns' indices when y is a label indicator matrix."""
    labels = names if labels is None else labels
    p, r, f, support = precision_recall_fscore_support(y_true, y_pred, labels=labels,
                                                       average=None, zero_division=0)
    for i, name in enumerate(names):
        row = metrics["per_label"][name]
        assert (row["precision"], row["recall"], row["f1"]) == pytest.approx((p[i], r[i], f[i]))
        assert row["support"] == support[i]
    micro = precision_recall_fscore_support(y_true, y_pred, labels=labels, average="micro",
                                            zero_division=0)
    macro = precision_recall_fscore_support(y_true, y_pred, labels=labels, average="macro",
                                            zero_division=0)
    assert (metrics["precision"], metrics["recall"], metrics["f1"]) == pytest.approx(micro[:3])
    assert metrics["macro_f1"] == pytest.approx(macro[2])


def test_nominal_metrics_equal_sklearn() -> None:
    docs = _noisy(sentiment_docs(60, seed=2) + sentiment_docs(20, seed=3, lang="zh"),
                  ["pos", "neg"], seed=4, rate=0.3)
    trained = sentiment.train(docs, folds=4, seed=2)
    guess = sentiment.held_out_labels(docs, sentiment.NOMINAL, ["neg", "pos"], 4, 2)
    assert all(len(g) == 1 for g in guess)
    metrics = sentiment.label_metrics([d.sentiment for d in docs], guess, 4)
    assert metrics == trained.metrics
    assert 0.5 < metrics["f1"] < 1
    _sklearn_check(metrics, [d.sentiment[0] for d in docs], [g[0] for g in guess],
                   ["neg", "pos"])


def test_multi_label() -> None:
    trained = sentiment.train(topic_docs(60, seed=1), folds=3, seed=0, multi_label=True)
    assert trained.metrics["f1"] > 0.9
    [out] = sentiment.predict(trained.model, [GoldDoc("the soup was expensive")])
    assert {p.label for p in out.proposals} == {"food", "price"}
    probabilities = sentiment.probabilities(trained.model, ["the soup was expensive"])[0]
    assert out.confidence == pytest.approx(np.min(np.maximum(probabilities,
                                                             1 - probabilities)))
    assert all(p.score >= 0.5 for p in out.proposals)


def test_multi_label_metrics_equal_sklearn() -> None:
    rng, labels = random.Random(5), ["food", "price", "service"]
    docs = [GoldDoc(d.text, sentiment=tuple(n for n in labels if (n in d.sentiment)
                                            != (rng.random() < 0.2)) or ("food",))
            for d in topic_docs(60, seed=2)]
    trained = sentiment.train(docs, folds=3, seed=0, multi_label=True)
    guess = sentiment.held_out_labels(docs, sentiment.MULTI, labels, 3, 0)
    assert sentiment.label_metrics([d.sentiment for d in docs], guess, 3) == trained.metrics
    assert 0.4 < trained.metrics["f1"] < 1
    binarizer = MultiLabelBinarizer(classes=labels)
    _sklearn_check(trained.metrics, binarizer.fit_transform([d.sentiment for d in docs]),
                   binarizer.transform(guess), labels, [0, 1, 2])


def test_ordinal() -> None:
    docs = ordinal_docs(100, seed=1)
    trained = sentiment.train(docs, folds=4, ordinal=SCALE)
    assert trained.model is not None
    assert len(trained.model.classifiers) == len(SCALE) - 1
    assert trained.metrics["f1"] > 0.85
    texts = ["the best", "awful box", "fine on tuesday", "nice"]
    proba = sentiment.probabilities(trained.model, texts)
    assert proba.shape == (4, 4)
    assert np.allclose(proba.sum(axis=1), 1)
    out = sentiment.predict(trained.model, [GoldDoc(t) for t in texts])
    assert [o.proposals[0].label for o in out] == ["superb", "bad", "okay", "good"]


def test_ordinal_ignores_labels_off_the_scale() -> None:
    docs = ordinal_docs(30, seed=2) + [GoldDoc("meh", sentiment=("unknown",))] * 3
    trained = sentiment.train(docs, ordinal=SCALE)
    assert trained.trained_on == 30


def test_refusals() -> None:
    few = sentiment.train(sentiment_docs(4))
    assert few.model is None
    assert few.reason == "4 gold documents with sentiment; at least 10 are needed"
    one = sentiment.train([GoldDoc(f"great {i}", sentiment=("pos",)) for i in range(12)])
    assert one.model is None
    assert "at least 2 are needed" in one.reason
    unlabelled = sentiment.train([GoldDoc("x")] * 20 + sentiment_docs(5))
    assert unlabelled.model is None
    assert unlabelled.trained_on == 5


def test_rows_made_in_chunks_equal_rows_made_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"good news {i} 今天很好" for i in range(25)]
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    whole = reference.fit_transform(texts)
    monkeypatch.setattr(sentiment, "CHUNK", 4)
    vectorizer = sentiment.Vectorizer()
    fitted = vectorizer.fit_transform(texts)
    chunked = vectorizer.transform(texts)
    assert vectorizer.tfidf.vocabulary_ == reference.vocabulary_
    for rows in (fitted, chunked):
        assert rows.shape == whole.shape
        assert (abs(whole - rows) > 1e-6).nnz == 0


def _cut_without_tie(counts: object, near: int) -> int:
    """A number of top n-grams whose last one is strictly more frequent than the next (so
    the choice does not depend on how ties are ordered)."""
    tf = np.sort(np.asarray(counts.sum(axis=0)).ravel())[::-1]  # type: ignore[attr-defined]
    return next(k for k in range(near, len(tf)) if tf[k - 1] > tf[k])


@pytest.mark.parametrize("limited", [False, True])
def test_fold_tfidf_equals_a_vectorizer_fitted_on_the_fold(
        monkeypatch: pytest.MonkeyPatch, limited: bool) -> None:
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    texts = [d.text for d in sentiment_docs(30, seed=4, lang="en")]
    texts += [d.text for d in sentiment_docs(30, seed=5, lang="zh")]
    train = np.arange(0, len(texts), 3)
    test = np.setdiff1d(np.arange(len(texts)), train)
    counts = CountVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit_transform(texts)
    max_features = _cut_without_tie(counts[train], 40) if limited else 50_000
    monkeypatch.setattr(sentiment, "MAX_FEATURES", max_features)
    x_train, x_test = sentiment.fold_tfidf(counts.tocsr(), train, test)
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True,
                                max_features=max_features)
    want_train = reference.fit_transform([texts[i] for i in train])
    want_test = reference.transform([texts[i] for i in test])
    # the same columns, in another order: compare each row's sorted weights
    assert x_train.shape == want_train.shape
    assert x_test.shape == want_test.shape
    for got, want in ((x_train, want_train), (x_test, want_test)):
        for i in range(got.shape[0]):
            assert np.allclose(np.sort(got[i].data), np.sort(want[i].data), atol=1e-6)


def test_a_model_fitted_on_counts_equals_one_fitted_on_texts() -> None:
    docs = sentiment_docs(40, seed=6, lang="en") + sentiment_docs(40, seed=7, lang="zh")
    labels = ["neg", "neu", "pos"]
    counts, ngrams = sentiment.counted([d.text for d in docs])
    counted = sentiment.fit_counted(docs, sentiment.NOMINAL, labels, counts, ngrams)
    fitted = sentiment.fit(docs, sentiment.NOMINAL, labels)
    texts = [d.text for d in sentiment_docs(20, seed=8, lang="zh")] + ["", "完全没见过的字 xyz"]
    assert counted.vectorizer.tfidf.vocabulary == fitted.vectorizer.tfidf.vocabulary_
    assert np.allclose(counted.vectorizer.transform(texts).toarray(),
                       fitted.vectorizer.transform(texts).toarray(), atol=1e-6)
    assert np.allclose(sentiment.probabilities(counted, texts),
                       sentiment.probabilities(fitted, texts), atol=1e-4)
