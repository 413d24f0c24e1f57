"""The agents run together (entity agents, then the relation agent on their entities), in
this process and in child processes, with the same answers."""

import pytest

from annotation.pure.assist import crf, dictionary, relation, sentiment
from annotation.pure.assist.base import GoldDoc
from annotation.pure.assist.ensemble import Member, Predictor, PredictorError, predict_rows
from tests.annotation.pure.assist.corpora import entity_docs, relation_docs, sentiment_docs


@pytest.fixture(scope="module")
def members() -> list[Member]:
    gold = relation_docs(80, seed=3)
    models = [(0, "dictionary", dictionary.train(gold, folds=2).model),
              (1, "relation", relation.train(gold, folds=2).model),
              (2, "crf", crf.train(gold, folds=2).model),
              (3, "sentiment", sentiment.train(sentiment_docs(40, seed=3), folds=2).model)]
    assert all(model is not None for _slot, _kind, model in models)
    return [Member(slot, kind, model) for slot, kind, model in models]


def _texts(n: int, seed: int) -> list[str]:
    docs = relation_docs(n, seed=seed) + entity_docs(n, seed=seed)
    return [d.text for d in docs] + ["", "😀 表情 only"]


def test_rows_are_each_agents_proposals_and_relations_use_found_entities(
        members: list[Member]) -> None:
    texts = _texts(10, 8)
    batch = predict_rows(members, texts)
    by_slot = {m.slot: m for m in members}
    docs = [GoldDoc(text) for text in texts]
    entities: list[set[tuple[int, int, str]]] = [set() for _ in texts]
    want, confidence = [], [1.0] * len(texts)
    for slot, module in ((0, dictionary), (2, crf), (3, sentiment)):
        for i, out in enumerate(module.predict(by_slot[slot].model, docs)):
            want += [(i, slot, p.kind, p.label, p.start, p.end, p.tail_start, p.tail_end,
                      p.score) for p in out.proposals]
            confidence[i] = min(confidence[i], out.confidence)
            if slot != 3:
                entities[i] |= {(p.start, p.end, p.label) for p in out.proposals}
    linked = [GoldDoc(t, tuple(sorted(e))) for t, e in zip(texts, entities, strict=True)]
    for i, out in enumerate(relation.predict(by_slot[1].model, linked)):
        want += [(i, 1, p.kind, p.label, p.start, p.end, p.tail_start, p.tail_end, p.score)
                 for p in out.proposals]
        confidence[i] = min(confidence[i], out.confidence)
    assert any(row[2] == "relation" for row in want)
    assert sorted(batch.rows, key=repr) == sorted(want, key=repr)
    assert batch.confidence == confidence


def test_child_processes_answer_as_this_one_in_order(members: list[Member]) -> None:
    batches = [(k, _texts(4, k)) for k in range(7)]
    with Predictor(members, 1) as here:
        want = list(here.run(batches))
    with Predictor(members, 2) as children:
        assert len(children.children) == 2
        got = list(children.run(iter(batches)))
        pids = [child.pid for child in children.children]
    assert [key for key, _batch in got] == list(range(7))
    assert [(b.rows, b.confidence) for _k, b in got] == [(b.rows, b.confidence)
                                                         for _k, b in want]
    assert all(child.returncode == 0 for child in children.children)
    assert len(set(pids)) == 2


def test_a_child_that_fails_is_an_error_not_a_hang() -> None:
    broken = [Member(0, "crf", "not a model")]
    with Predictor(broken, 2) as children, pytest.raises(PredictorError, match="exit code 1"):
        list(children.run([(0, ["some text"]), (1, ["more"])]))


def test_leaving_midway_ends_the_children_without_killing_them(members: list[Member]) -> None:
    """An error in the worker between batches (a failed write, say): the children, one of
    them with an answer nobody reads, end at once instead of being killed after a wait."""
    batches = [(k, _texts(150, k)) for k in range(4)]  # answers larger than a pipe holds

    def stop_after_the_first() -> None:
        for _key, _batch in children.run(iter(batches)):
            raise RuntimeError("write failed")

    with Predictor(members, 2) as children, pytest.raises(RuntimeError, match="write failed"):
        stop_after_the_first()
    assert all(child.returncode is not None and child.returncode >= 0
               for child in children.children)
