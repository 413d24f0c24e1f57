"""The relation agent: refusal below `min_relations`, learning above, candidate pairs and
metrics counted by hand."""

import random

from annotation.pure.assist import relation
from annotation.pure.assist.base import GoldDoc, prf
from tests.annotation.pure.assist.corpora import relation_docs


def _count(docs: list[GoldDoc]) -> int:
    return sum(len(doc.relations) for doc in docs)


def test_refuses_below_min_relations() -> None:
    docs = relation_docs(30, seed=1)
    n = _count(docs)
    assert n < 50
    trained = relation.train(docs)
    assert trained.model is None
    assert trained.reason == f"{n} gold relations; at least 50 are needed"
    assert relation.train(docs, min_relations=n + 1).model is None
    assert relation.train(docs, min_relations=n).model is not None


def test_learns_relations() -> None:
    docs = relation_docs(80, seed=2)
    assert _count(docs) >= 50
    trained = relation.train(docs, folds=4)
    assert trained.model is not None
    assert trained.metrics["f1"] > 0.9
    assert set(trained.metrics["per_label"]) == {"works_for", "based_in"}
    fresh = [GoldDoc("🎉 Trent Wright works for Hooli, based in Oslo. Judy Smith visited "
                     "Globex, near Rome.")]
    text = fresh[0].text
    spans = [(text.index(w), text.index(w) + len(w), name) for w, name in [
        ("Trent Wright", "PER"), ("Hooli", "ORG"), ("Oslo", "LOC"), ("Judy Smith", "PER"),
        ("Globex", "ORG"), ("Rome", "LOC")]]
    [out] = relation.predict(trained.model, [GoldDoc(text, tuple(spans))])
    found = {(text[p.start:p.end], text[p.tail_start:p.tail_end], p.label)
             for p in out.proposals}
    assert found == {("Trent Wright", "Hooli", "works_for"), ("Hooli", "Oslo", "based_in")}
    assert all(0.5 <= p.score <= 1 and p.kind == "relation" for p in out.proposals)
    assert 0 <= out.confidence <= 1


def test_metrics_count_exact_head_and_tail() -> None:
    rng = random.Random(3)
    docs = [GoldDoc(d.text, d.entities, tuple(r for r in d.relations if rng.random() > 0.2))
            for d in relation_docs(60, seed=4)]
    trained = relation.train(docs, folds=2, seed=1)
    guess = relation.held_out_relations(docs, 2, 1)
    tp = fp = fn = 0
    for doc, proposals in zip(docs, guess, strict=True):
        gold = {(*doc.entities[h][:2], *doc.entities[t][:2], name)
                for h, t, name in doc.relations}
        found = {(p.start, p.end, p.tail_start, p.tail_end, p.label) for p in proposals}
        tp, fp, fn = tp + len(gold & found), fp + len(found - gold), fn + len(gold - found)
    assert fp + fn > 0
    precision, recall, f1 = prf(tp, fp, fn)
    assert (trained.metrics["precision"], trained.metrics["recall"]) == (precision, recall)
    assert trained.metrics["f1"] == f1


def test_documents_without_pairs() -> None:
    trained = relation.train(relation_docs(80, seed=2), folds=2)
    out = relation.predict(trained.model, [GoldDoc("no entities"), GoldDoc("one", ((0, 3, "X"),))])
    assert [(o.proposals, o.confidence) for o in out] == [([], 1.0), ([], 1.0)]


def test_final_fit_and_cross_validation_samples_are_reported() -> None:
    docs = relation_docs(80, seed=3)
    trained = relation.train(docs, folds=2, cv_sample=40, fit_sample=60)
    assert trained.model is not None
    assert trained.metrics["cv_sample"] == 40
    assert trained.metrics["trained_sample"] == 60
    assert trained.trained_on == 80
    plain = relation.train(docs, folds=2)
    assert "cv_sample" not in plain.metrics
    assert "trained_sample" not in plain.metrics


def test_only_label_pairs_related_in_the_gold_are_candidates() -> None:
    trained = relation.train(relation_docs(80, seed=2), folds=2)
    model = trained.model
    assert model is not None
    assert model.related == {("PER", "ORG"), ("ORG", "LOC")}
    text = "Ann Lee met Bob Ray in Oslo"  # PER-PER and PER-LOC: never related
    doc = GoldDoc(text, ((0, 7, "PER"), (12, 19, "PER"), (23, 27, "LOC")))
    assert [(o.proposals, o.confidence) for o in relation.predict(model, [doc])] == [([], 1.0)]
    # an artifact made before the model kept `related` scores every nearby pair
    legacy = relation.RelationModel(model.vectorizer, model.classifier)
    assert relation.predict(legacy, [doc])[0].confidence < 1.0
