"""The dictionary agent: token-boundary occurrences, majority labels, cross-validated metrics
equal to seqeval's, and refusal."""

import pickle

from annotation.pure.assist import dictionary
from annotation.pure.assist.base import GoldDoc
from annotation.pure.assist.crossval import fold_count, held_out_spans, span_metrics
from tests.annotation.pure.assist.corpora import (
    assert_same_as_seqeval,
    entity_docs,
    seqeval_report,
)


def test_occurrences_only_on_token_boundaries() -> None:
    text = "cat concatenate cat. cats cat"
    assert dictionary.occurrences(text, "cat") == [(0, 3), (16, 19), (26, 29)]
    assert dictionary.occurrences(text, "") == []
    assert dictionary.occurrences("aa aa aa", "aa aa") == [(0, 5)]
    assert dictionary.occurrences("New Yorker in New York", "New York") == [(14, 22)]


def test_occurrences_per_character_in_cjk_and_code_points_after_emoji() -> None:
    assert dictionary.occurrences("北京大学在北京", "北京") == [(0, 2), (5, 7)]
    assert dictionary.occurrences("在北京", "京") == [(2, 3)]
    # 😀 is one code point and 👩‍💻 three (woman, ZWJ, laptop), then a space
    text = "😀👩‍💻 Paris, not Parisian; Paris"
    assert dictionary.occurrences(text, "Paris") == [(5, 10), (26, 31)]


def _doc(text: str, *surfaces: tuple[str, str]) -> GoldDoc:
    spans = []
    for surface, name in surfaces:
        start = text.index(surface)
        spans.append((start, start + len(surface), name))
    return GoldDoc(text, tuple(spans))


def test_majority_label_share_and_longest_match() -> None:
    docs = [_doc("Paris is big", ("Paris", "LOC"))] * 3 + [
        _doc("Paris Hilton came", ("Paris", "PER")),
        _doc("to New York now", ("New York", "LOC")),
        _doc("York said hi", ("York", "PER")),
    ]
    model = dictionary.build(docs)
    assert model.patterns["Paris"] == ("LOC", 0.75)
    [out] = dictionary.predict(model, [GoldDoc("🎉 New York and Paris, Yorkshire")])
    found = [(p.start, p.end, p.label, p.score) for p in out.proposals]
    assert found == [(2, 10, "LOC", 1.0), (15, 20, "LOC", 0.75)]
    assert out.confidence == 0.75
    copy = pickle.loads(pickle.dumps(model))  # the automaton is rebuilt after unpickling
    assert dictionary.predict(copy, [GoldDoc("🎉 New York and Paris, Yorkshire")]) == [out]


def test_learns_and_reports_metrics_equal_to_seqeval() -> None:
    docs = entity_docs(40, seed=3) + entity_docs(40, seed=4, zh=True, emoji=True)
    trained = dictionary.train(docs, folds=5, seed=1)
    assert trained.model is not None
    assert trained.trained_on == 80
    assert trained.metrics["f1"] > 0.6
    assert trained.metrics["folds"] == 5
    predicted = held_out_spans(docs, 5, 1, dictionary.build, dictionary._spans)
    assert span_metrics(docs, predicted, 5) == trained.metrics
    assert_same_as_seqeval(trained.metrics, seqeval_report(docs, predicted))
    fresh = entity_docs(5, seed=99, zh=True, emoji=True)
    for doc, out in zip(fresh, dictionary.predict(trained.model, fresh), strict=True):
        assert {(p.start, p.end, p.label) for p in out.proposals} <= set(doc.entities)
        assert all(0 <= p.score <= 1 for p in out.proposals)


def test_refuses_too_little_gold() -> None:
    trained = dictionary.train(entity_docs(3))
    assert trained.model is None
    assert trained.reason == "3 gold documents; at least 10 are needed"
    empty = dictionary.train([GoldDoc("nothing here")] * 12)
    assert empty.model is None
    assert "0 gold entities" in empty.reason


def test_fold_count() -> None:
    assert fold_count(10, 5) == 2
    assert fold_count(24, 5) == 4
    assert fold_count(1000, 5) == 5
    assert fold_count(1000, 1) == 2


def test_trained_scores_are_the_share_times_the_cross_validated_precision() -> None:
    docs = entity_docs(40, seed=3) + entity_docs(40, seed=4, zh=True, emoji=True)
    trained = dictionary.train(docs, folds=5, seed=1)
    shares = dictionary.build(docs).patterns
    precision = {name: row["precision"] for name, row in trained.metrics["per_label"].items()}
    for surface, (name, score) in trained.model.patterns.items():
        assert shares[surface][0] == name
        assert score == shares[surface][1] * precision.get(name, 0.0)


def test_a_name_inside_longer_unseen_names_scores_low_in_chinese() -> None:
    """Every CJK character is a token, so a known name inside a longer unseen one is on token
    boundaries; cross-validation sees those wrong spans, and the score says so."""
    given = "明华国强军平杰磊洋勇艳娜静敏丽"
    docs = [GoldDoc(f"我们和张伟{c}在北京", ((3, 6, "PER"), (7, 9, "LOC"))) for c in given]
    docs += [GoldDoc("张伟来了", ((0, 2, "PER"),))] * 5
    trained = dictionary.train(docs, folds=5, seed=1)
    assert trained.metrics["per_label"]["PER"]["precision"] < 0.5
    assert trained.model.patterns["北京"] == ("LOC", 1.0)
    [out] = dictionary.predict(trained.model, [GoldDoc("张伟超说")])
    [proposal] = out.proposals
    assert (proposal.start, proposal.end, proposal.label) == (0, 2, "PER")
    assert proposal.score < 0.5
