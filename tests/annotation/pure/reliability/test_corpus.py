"""The agreement corpus's sentiment through the reliability models: the report's part and
the documents' posteriors, for every shape a project can have."""

import numpy as np
import pytest

from annotation.pure.agreement.inputs import LabelMeta, parse
from annotation.pure.reliability import dawid_skene, reliability
from annotation.pure.reliability.corpus import REPLICATES, sentiment_quality

LABELS = ["negative", "neutral", "positive"]


def corpus(ratings: dict[str, list[str | None]], multi: bool = False):
    n = len(next(iter(ratings.values())))
    docs = [{"id": 100 + d, "text": f"doc {d}", "annotations": {
        who: {"sentiment": chosen[d]} for who, chosen in ratings.items()
        if chosen[d] is not None}} for d in range(n)]
    return parse(docs, LabelMeta(sentiment=LABELS, multi_label=multi,
                                 tasks=("sentiment",)))


RATINGS = {"ann": ["positive", "negative", "neutral", "positive", None, "negative"],
           "bob": ["positive", "negative", "positive", "positive", "neutral", "negative"],
           "cat": ["positive", "neutral", "neutral", None, "neutral", "negative"]}


def test_the_part_is_the_models_own_figures():
    c = corpus(RATINGS)
    part, documents = sentiment_quality(c, multi_label=False)
    codes = np.asarray(c.sentiment)
    assert part["reason"] is None
    assert part["replicates"] == REPLICATES == 200
    for method in ("dawid_skene", "mace"):
        expected = reliability(codes, 3, method=method, replicates=200, seed=0)
        rows = [r for r in part["annotators"] if r["model"] == method]
        assert [r["username"] for r in rows] == c.annotators
        assert [r["reliability"] for r in rows] == [a.value for a in expected.annotators]
        assert [r["items"] for r in rows] == [5, 6, 5]
        assert [r["interval"] for r in rows] == [
            [a.interval.low, a.interval.high] for a in expected.annotators]
    posterior = dawid_skene(codes, 3).posterior
    assert [doc for doc, _ in documents] == [100 + d for d in range(6)]
    for d, (_doc, probabilities) in enumerate(documents):
        assert list(probabilities) == LABELS
        assert sum(probabilities.values()) == pytest.approx(1, abs=1e-3)
        assert [probabilities[name] for name in LABELS] == pytest.approx(posterior[d], abs=1e-4)


def test_unrated_documents_get_no_posterior():
    c = corpus({"ann": ["positive", None, "neutral"], "bob": ["negative", None, "neutral"]})
    _part, documents = sentiment_quality(c, multi_label=False)
    assert [doc for doc, _ in documents] == [100, 102]


@pytest.mark.parametrize(("ratings", "multi", "reason"), [
    ({"ann": ["positive", "negative"]}, False, "annotator"),  # one annotator
    ({"ann": ["positive", None], "bob": [None, "negative"]}, False, ""),  # no shared item
    (RATINGS, True, "multi-label"),
])
def test_what_cannot_be_estimated_says_why(ratings, multi, reason):
    part, documents = sentiment_quality(corpus(ratings, multi), multi_label=multi)
    assert part["reason"]
    assert reason in part["reason"]
    assert documents == []
    assert all(r["reliability"] is None for r in part["annotators"])


def test_a_project_without_sentiment_labels():
    docs = [{"id": 1, "text": "x", "annotations": {"a": {"entities": []}, "b": {}}}]
    c = parse(docs, LabelMeta(entities=["PER"], tasks=("ner",)))
    part, documents = sentiment_quality(c, multi_label=False)
    assert part == {"annotators": [], "reason": "the project has no sentiment labels"}
    assert documents == []



def test_a_single_sentiment_label_and_an_empty_corpus_say_why():
    one = parse([{"id": d, "text": "x", "annotations": {
        "a": {"sentiment": "positive"}, "b": {"sentiment": "positive"}}} for d in (1, 2)],
        LabelMeta(sentiment=["positive"], tasks=("sentiment",)))
    part, documents = sentiment_quality(one, multi_label=False)
    assert "fewer than two classes" in part["reason"]
    assert documents == []
    assert {r["reliability"] for r in part["annotators"]} == {None}
    empty = parse([], LabelMeta(sentiment=LABELS, tasks=("sentiment",)))
    part, documents = sentiment_quality(empty, multi_label=False)
    assert (part["annotators"], documents) == ([], [])
    assert "fewer than two annotators" in part["reason"]
