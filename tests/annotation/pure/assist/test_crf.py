"""The CRF agent: learns English and Chinese entities (emoji around), metrics equal to
seqeval's on the same held-out predictions, snapping, sampling, scores and refusal."""

import random

import pytest

from annotation.pure.assist import crf
from annotation.pure.assist.base import GoldDoc
from annotation.pure.assist.crossval import held_out_spans, span_metrics
from tests.annotation.pure.assist.corpora import (
    assert_same_as_seqeval,
    entity_docs,
    seqeval_report,
)


def _corpus(n: int, seed: int) -> list[GoldDoc]:
    docs = entity_docs(n, seed=seed) + entity_docs(n, seed=seed + 1, zh=True, emoji=True)
    random.Random(seed).shuffle(docs)
    return docs


def test_learns_english_and_chinese_with_code_point_offsets() -> None:
    trained = crf.train(_corpus(60, 1), folds=3, seed=0)
    assert trained.model is not None
    assert trained.trained_on == 120
    assert trained.metrics["f1"] > 0.9
    assert trained.metrics["folds"] == 3
    assert trained.metrics["snapped"] == trained.metrics["skipped"] == 0
    fresh = _corpus(10, 50)
    out = crf.predict(trained.model, fresh)
    found = {(p.start, p.end, p.label) for o in out for p in o.proposals}
    gold = {(s, e, name) for doc in fresh for s, e, name in doc.entities}
    hits = len(found & gold)
    assert hits / len(gold) > 0.8
    assert hits / len(found) > 0.8
    for o in out:
        assert 0 <= o.confidence <= 1
        assert all(0 <= p.score <= 1 and p.kind == "entity" for p in o.proposals)


def test_proposal_offsets_after_emoji() -> None:
    trained = crf.train(_corpus(60, 1), folds=2)
    text = "👩‍💻🎉 了我们和张伟在北京"  # 👩‍💻 is three code points
    [out] = crf.predict(trained.model, [GoldDoc(text)])
    spans = {(p.start, p.end, p.label) for p in out.proposals}
    assert (9, 11, "PER") in spans
    assert text[9:11] == "张伟"


def _noisy(docs: list[GoldDoc], seed: int) -> list[GoldDoc]:
    """Gold from a careless annotator: some entities dropped or relabelled."""
    rng, out = random.Random(seed), []
    for doc in docs:
        kept = [(s, e, rng.choice(["PER", "LOC"]) if rng.random() < 0.15 else name)
                for s, e, name in doc.entities if rng.random() > 0.1]
        out.append(GoldDoc(doc.text, tuple(kept)))
    return out


def test_metrics_equal_seqeval_on_the_same_held_out_predictions() -> None:
    docs = _noisy(_corpus(40, 7), 7)
    trained = crf.train(docs, folds=4, seed=5)
    predicted = held_out_spans(docs, 4, 5, crf._fit_sample(5, crf.CV_SAMPLE), crf._spans)
    metrics = span_metrics(docs, predicted, 4)
    assert 0.3 < metrics["f1"] < 1
    assert {k: v for k, v in trained.metrics.items() if k in metrics} == metrics
    assert_same_as_seqeval(metrics, seqeval_report(docs, predicted))


def test_misaligned_gold_is_snapped_or_skipped() -> None:
    docs = entity_docs(12, seed=2)
    first = docs[0]
    start, end, name = first.entities[0]
    inside = GoldDoc(first.text, ((start + 1, end, name), (start, end - 1, name),
                                  *first.entities[1:]))
    trained = crf.train([inside, *docs[1:]])
    assert trained.metrics["snapped"] == 1
    assert trained.metrics["skipped"] == 1


def test_cross_validation_subsample_is_reported() -> None:
    trained = crf.train(_corpus(20, 3), folds=2, cv_sample=10)
    assert trained.metrics["cv_sample"] == 10
    assert "cv_sample" not in crf.train(_corpus(20, 3), folds=2).metrics


def test_refuses_too_few_documents() -> None:
    trained = crf.train(entity_docs(3))
    assert trained.model is None
    assert trained.reason == "3 gold documents; at least 10 are needed"
    assert trained.trained_on == 3


def test_empty_and_whitespace_documents() -> None:
    trained = crf.train(_corpus(10, 4), folds=2)
    out = crf.predict(trained.model, [GoldDoc(""), GoldDoc("   ")])
    assert [(o.proposals, o.confidence) for o in out] == [([], 1.0), ([], 1.0)]


def test_final_fit_sample_is_reported_and_the_model_pickles() -> None:
    import pickle

    docs = _corpus(20, 3)
    trained = crf.train(docs, folds=2, fit_sample=15)
    assert trained.metrics["trained_sample"] == 15
    assert trained.trained_on == 40
    assert "trained_sample" not in crf.train(docs, folds=2).metrics
    copy = pickle.loads(pickle.dumps(trained.model))  # the tagger is reopened from the bytes
    assert crf.predict(copy, docs[:5]) == crf.predict(trained.model, docs[:5])


def test_cross_validation_folds_are_capped_for_big_corpora(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crf, "BIG", 30)
    trained = crf.train(_corpus(20, 3), folds=5)
    assert trained.metrics["folds"] == crf.BIG_FOLDS
