"""Gold checks, pure part: the reproducible check turns and scoring against gold."""

import numpy as np
import pytest

from annotation.pure.agreement.inputs import LabelMeta
from annotation.pure.agreement.report import agreement_report
from annotation.pure.content import Content
from annotation.pure.gold_checks import check_turn, draw, score
from annotation.pure.progress import agreement_with_others, group_medians

ALL = frozenset({"ner", "relations", "sentiment"})
PER, ORG, LOC, WORKS, IN, POS, NEG = 1, 2, 3, 10, 11, 20, 21


def test_check_turns_are_reproducible_and_depend_on_the_seed():
    a = [check_turn(seed="s1", n=n, rate=0.3) for n in range(200)]
    assert a == [check_turn(seed="s1", n=n, rate=0.3) for n in range(200)]
    assert a != [check_turn(seed="s2", n=n, rate=0.3) for n in range(200)]


@pytest.mark.parametrize("rate", [0.05, 0.1, 0.5])
def test_check_turns_come_at_the_rate(rate):
    """10,000 turns with a fixed seed: the share is within 4 binomial standard deviations."""
    n = 10_000
    hits = sum(check_turn(seed="fixed", n=i, rate=rate) for i in range(n))
    sd = (n * rate * (1 - rate)) ** 0.5
    assert abs(hits - n * rate) < 4 * sd


def test_rate_zero_never_and_rate_one_always():
    assert not any(check_turn(seed="x", n=i, rate=0.0) for i in range(500))
    assert all(check_turn(seed="x", n=i, rate=1.0) for i in range(500))
    assert all(0 <= draw("x", i) < 1 for i in range(500))


GOLD = Content(entities=[(0, 5, PER), (13, 17, ORG), (20, 24, LOC)],
               relations=[(0, 1, WORKS), (1, 2, IN)], sentiment=[POS])


def test_score_by_hand():
    # One entity exact, one with the wrong label, one off by a character, one extra:
    # matched 1; F1 = 2 * 1 / (3 + 4) = 2/7.
    answer = Content(entities=[(0, 5, PER), (13, 17, LOC), (20, 23, LOC), (30, 35, PER)],
                     relations=[(0, 1, WORKS)], sentiment=[NEG])
    s = score(gold=GOLD, answer=answer, tasks=ALL)
    assert (s.gold_entities, s.entities, s.matched_entities) == (3, 4, 1)
    assert s.entity_f1 == pytest.approx(2 / 7)
    # The one relation's tail (13, 17) has the label LOC in the answer, ORG in gold: no match.
    assert (s.gold_relations, s.relations, s.matched_relations) == (2, 1, 0)
    assert s.relation_f1 == 0.0
    assert s.sentiment_correct is False


def test_a_perfect_answer_and_relations_matched_through_renumbered_entities():
    # The same content with the entities listed in another order: the relations point at
    # other indexes but at the same spans.
    answer = Content(entities=[(20, 24, LOC), (0, 5, PER), (13, 17, ORG)],
                     relations=[(1, 2, WORKS), (2, 0, IN)], sentiment=[POS])
    s = score(gold=GOLD, answer=answer, tasks=ALL)
    assert (s.entity_f1, s.relation_f1, s.sentiment_correct) == (1.0, 1.0, True)
    assert s.matched_relations == 2


def test_a_relation_with_the_wrong_label_or_direction_does_not_match():
    answer = Content(entities=GOLD.entities, relations=[(1, 0, WORKS), (1, 2, WORKS)],
                     sentiment=[POS])
    s = score(gold=GOLD, answer=answer, tasks=ALL)
    assert s.matched_relations == 0
    assert s.relation_f1 == 0.0
    assert s.entity_f1 == 1.0


def test_empty_gold_and_empty_answer_score_one_and_tasks_not_run_are_none():
    s = score(gold=Content(), answer=Content(), tasks=ALL)
    assert (s.entity_f1, s.relation_f1, s.sentiment_correct) == (1.0, 1.0, True)
    s = score(gold=GOLD, answer=Content(), tasks=frozenset({"sentiment"}))
    assert (s.entity_f1, s.relation_f1, s.sentiment_correct) == (None, None, False)
    assert score(gold=GOLD, answer=Content(entities=[(0, 5, PER)]),
                 tasks=frozenset({"ner"})).entity_f1 == pytest.approx(2 * 1 / 4)


def test_multi_label_sentiment_needs_the_same_set():
    gold = Content(sentiment=[POS, NEG])
    assert score(gold=gold, answer=Content(sentiment=[NEG, POS]), tasks=ALL).sentiment_correct
    assert not score(gold=gold, answer=Content(sentiment=[POS]), tasks=ALL).sentiment_correct


def test_duplicate_spans_match_once_each():
    gold = Content(entities=[(0, 5, PER)])
    answer = Content(entities=[(0, 5, PER), (0, 5, PER)])
    s = score(gold=gold, answer=answer, tasks=frozenset({"ner"}))
    assert s.matched_entities == 1
    assert s.entity_f1 == pytest.approx(2 * 1 / 3)


NAMES = {PER: "PER", ORG: "ORG", LOC: "LOC", WORKS: "works_for", IN: "located_in"}


def _native(c: Content) -> dict:
    return {"entities": [{"id": f"T{i}", "start": s, "end": e, "label": NAMES[lb]}
                         for i, (s, e, lb) in enumerate(c.entities)],
            "relations": [{"head": f"T{h}", "tail": f"T{t}", "label": NAMES[lb]}
                          for h, t, lb in c.relations]}


def _agreement_f1(gold: Content, answer: Content) -> tuple[float | None, float | None]:
    """The agreement report's pairwise exact entity F1 and relation F1 between two
    annotators, 'gold' and 'answer', who both submitted one document."""
    report = agreement_report(
        [{"id": 1, "annotations": {"gold": _native(gold), "answer": _native(answer)}}],
        LabelMeta(entities=["PER", "ORG", "LOC"], relations=["works_for", "located_in"]),
        replicates=0)
    return (report["entities"]["f1_exact"]["pairs"][0]["value"],
            report["relations"]["f1"]["pairs"][0]["value"])


def test_scores_equal_the_agreement_reports_pairwise_f1():
    rng = np.random.default_rng(7)
    for _ in range(25):
        def content() -> Content:
            n = int(rng.integers(1, 6))
            ents = [(int(s), int(s) + int(rng.integers(1, 4)), int(rng.choice([PER, ORG])))
                    for s in rng.choice(6, size=n, replace=False) * 4]
            rels = list({(int(h), int(t), WORKS) for h, t in rng.integers(0, n, size=(3, 2))
                         if h != t})
            return Content(entities=ents, relations=rels)
        gold, answer = content(), content()
        s = score(gold=gold, answer=answer, tasks=ALL)
        e, r = _agreement_f1(gold, answer)
        assert s.entity_f1 == pytest.approx(e)
        if gold.relations or answer.relations:
            assert s.relation_f1 == pytest.approx(r)


def test_group_medians():
    keys = np.array([2, 1, 2, 1, 2, 3], dtype=np.int64)
    values = np.array([5.0, 10.0, 1.0, 20.0, 3.0, 7.0])
    assert group_medians(keys, values) == {1: 15.0, 2: 3.0, 3: 7.0}
    assert group_medians(np.zeros(0, np.int64), np.zeros(0)) == {}


def test_agreement_with_others():
    pairs = [{"a": "ann", "b": "bob", "value": 0.5}, {"a": "bob", "b": "cat", "value": 0.9},
             {"a": "ann", "b": "cat", "value": 0.7}, {"a": "ann", "b": "dan", "value": None}]
    assert agreement_with_others(pairs, "ann") == pytest.approx(0.6)
    assert agreement_with_others(pairs, "dan") is None
    assert agreement_with_others(None, "ann") is None
