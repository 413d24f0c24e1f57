"""The report: DESIGN's shape, notes for undefined statistics, bootstrap, per-document scores."""

import json

import krippendorff
import numpy as np
import pytest
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import masi_distance

from annotation.pure.agreement import LabelMeta, agreement_report
from annotation.pure.agreement.bootstrap import bootstrap, grouped_sums
from annotation.pure.agreement.multilabel import masi_distances, set_membership

SCALE = ["negative", "neutral", "positive"]
META = LabelMeta(sentiment=SCALE, sentiment_values={"negative": -1, "neutral": 0, "positive": 1},
                 scale="ordinal", entities=["PER", "ORG"], relations=["works_for"])
PEOPLE = ["alice", "bob", "carol"]


def synthetic(n_docs: int, seed: int = 1) -> list[dict]:
    rng = np.random.default_rng(seed)
    docs = []
    for d in range(n_docs):
        truth = int(rng.integers(0, 3))
        annotations = {}
        for who in PEOPLE:
            if rng.random() < 0.1:
                annotations[who] = None
                continue
            sentiment = truth if rng.random() < 0.75 else int(rng.integers(0, 3))
            shift = int(rng.random() < 0.2)
            entities = [{"id": "p", "start": 0, "end": 5 + shift, "label": "PER"},
                        {"id": "o", "start": 10, "end": 14, "label": "ORG"}]
            if rng.random() < 0.3:
                entities.pop()
            relations = ([{"head": "p", "tail": "o", "label": "works_for"}]
                         if len(entities) == 2 else [])
            annotations[who] = {"sentiment": SCALE[sentiment], "entities": entities,
                                "relations": relations}
        docs.append({"id": f"doc-{d}", "text": "Alice works at Acme today.",
                     "annotations": annotations})
    return docs


@pytest.fixture(scope="module")
def report():
    return agreement_report(synthetic(200), META, replicates=300, seed=11)


def test_shape_follows_design_and_is_plain_json(report):
    text = json.dumps(report, allow_nan=False)  # no NaN, no numpy scalars
    assert json.loads(text) == report
    assert report["documents"] == 200
    assert report["annotators"] == PEOPLE
    s = report["sentiment"]
    assert set(s) >= {"items", "percent_agreement", "cohen_kappa", "fleiss_kappa",
                      "krippendorff_alpha", "per_label", "confusion"}
    assert set(s["krippendorff_alpha"]) >= {"nominal", "ordinal", "interval"}
    assert [(p["a"], p["b"]) for p in s["cohen_kappa"]["pairs"]] == [
        ("alice", "bob"), ("alice", "carol"), ("bob", "carol")]
    assert s["confusion"]["labels"] == SCALE
    assert set(s["per_label"]["positive"]) >= {"kappa", "count"}
    e = report["entities"]
    assert set(e) >= {"f1_exact", "f1_overlap", "per_label"}
    assert set(e["per_label"]["PER"]) >= {"f1_exact", "count"}
    assert set(report["relations"]) >= {"f1", "per_label"}
    assert len(report["per_document"]["disagreement"]) == 200


def test_sentiment_matches_the_reference_libraries(report):
    docs = synthetic(200)
    data = np.full((3, 200), np.nan)
    for d, doc in enumerate(docs):
        for c, who in enumerate(PEOPLE):
            content = doc["annotations"][who]
            if content:
                data[c, d] = SCALE.index(content["sentiment"])
    alpha = report["sentiment"]["krippendorff_alpha"]
    for metric in ("nominal", "ordinal", "interval"):
        assert alpha[metric] == pytest.approx(
            krippendorff.alpha(data, level_of_measurement=metric, value_domain=[0, 1, 2]),
            abs=1e-9)


def test_fleiss_with_missing_ratings_is_noted(report):
    notes = {n["statistic"]: n["message"] for n in report["notes"]}
    assert "units rated by 3 annotators" in notes["sentiment.fleiss_kappa"]
    assert report["sentiment"]["n"]["fleiss_kappa"] < report["sentiment"]["items"]


def test_bootstrap_is_reproducible_and_contains_the_estimate(report):
    again = agreement_report(synthetic(200), META, replicates=300, seed=11)
    assert again["sentiment"]["ci"] == report["sentiment"]["ci"]
    other = agreement_report(synthetic(200), META, replicates=300, seed=12)
    assert other["sentiment"]["ci"] != report["sentiment"]["ci"]
    checks = [("sentiment", "krippendorff_alpha.nominal",
               report["sentiment"]["krippendorff_alpha"]["nominal"]),
              ("sentiment", "cohen_kappa.mean", report["sentiment"]["cohen_kappa"]["mean"]),
              ("entities", "f1_exact.mean", report["entities"]["f1_exact"]["mean"]),
              ("relations", "f1.mean", report["relations"]["f1"]["mean"])]
    for section, key, point in checks:
        ci = report[section]["ci"][key]
        assert ci["low"] <= point <= ci["high"], (section, key)
        assert ci["high"] - ci["low"] < 0.5
        assert ci["n"] > 0
        assert ci["replicates"] == 300


def test_grouped_sums_equal_a_one_hot_product():
    rng = np.random.default_rng(0)
    w = rng.random((4, 50))
    cells = rng.integers(-1, 6, size=50)
    one_hot = np.zeros((50, 6))
    one_hot[np.arange(50)[cells >= 0], cells[cells >= 0]] = 1
    assert grouped_sums(w, cells, 6) == pytest.approx(w @ one_hot)
    assert grouped_sums(w, cells, 6, dense_cells=0) == pytest.approx(w @ one_hot)


def test_bootstrap_of_a_mean():
    x = np.random.default_rng(5).normal(size=400)
    (interval,) = bootstrap({"mean": lambda w: (w @ x) / w.sum(axis=1)}, 400, 2000, 3).values()
    assert interval.low < x.mean() < interval.high
    assert interval.high - interval.low == pytest.approx(2 * 1.96 * x.std() / 20, rel=0.15)


def test_per_document_scores_sort_disagreements_first():
    docs = [{"id": "calm", "annotations": {
                "a": {"sentiment": "positive", "entities": [(0, 5, "PER")]},
                "b": {"sentiment": "positive", "entities": [(0, 5, "PER")]}}},
            {"id": "storm", "annotations": {
                "a": {"sentiment": "positive", "entities": [(0, 5, "PER")]},
                "b": {"sentiment": "negative", "entities": [(6, 9, "ORG")]}}},
            {"id": "alone", "annotations": {"a": {"sentiment": "neutral"}, "b": None}}]
    per_doc = agreement_report(docs, META, replicates=0)["per_document"]
    assert per_doc["ids"] == ["calm", "storm", "alone"]
    assert per_doc["disagreement"] == [0.0, 1.0, None]


def test_undefined_statistics_are_null_with_notes():
    docs = [{"id": i, "annotations": {"a": {"sentiment": "neutral"}, "b": {"sentiment": "neutral"}}}
            for i in range(5)]
    report = agreement_report(docs, META, replicates=50)
    s = report["sentiment"]
    assert s["percent_agreement"] == 1.0
    assert s["krippendorff_alpha"] == {"nominal": None, "ordinal": None, "interval": None}
    assert s["cohen_kappa"]["mean"] is None
    assert s["fleiss_kappa"] is None
    assert report["entities"]["f1_exact"]["mean"] is None
    notes = {n["statistic"]: n["message"] for n in report["notes"]}
    assert "same value" in notes["sentiment.krippendorff_alpha.nominal"]
    assert "same single category" in notes["sentiment.cohen_kappa.a|b"]
    assert "neither annotated any entity" in notes["entities.f1_exact.a|b"]
    assert "fewer than 30" in notes["sentiment.krippendorff_alpha"]
    json.dumps(report, allow_nan=False)


def test_a_single_annotator_and_no_overlap():
    single = agreement_report([{"id": 1, "annotations": {"a": {"sentiment": "neutral"}}}], META)
    assert single["sentiment"]["krippendorff_alpha"]["nominal"] is None
    assert any(n["statistic"] == "annotators" for n in single["notes"])
    apart = agreement_report([{"id": 1, "annotations": {"a": {"sentiment": "neutral"}}},
                              {"id": 2, "annotations": {"b": {"sentiment": "positive"}}}], META)
    pair = apart["sentiment"]["cohen_kappa"]["pairs"][0]
    assert (pair["value"], pair["items"]) == (None, 0)
    assert apart["entities"]["f1_exact"]["pairs"][0]["value"] is None
    notes = {n["statistic"]: n["message"] for n in apart["notes"]}
    assert notes["entities.f1_exact.a|b"] == "no document submitted by both"


def test_interval_needs_every_value_and_nominal_scale_skips_ordinal():
    meta = LabelMeta(sentiment=SCALE, sentiment_values={"negative": -1, "positive": 1})
    report = agreement_report(synthetic(40), meta, replicates=0)
    alpha = report["sentiment"]["krippendorff_alpha"]
    assert alpha["nominal"] is not None
    assert alpha["ordinal"] is None
    assert alpha["interval"] is None
    notes = {n["statistic"]: n["message"] for n in report["notes"]}
    assert "numeric value" in notes["sentiment.krippendorff_alpha.interval"]


MULTI = [[{"joy", "trust"}, {"joy"}, {"joy", "trust"}],
         [{"anger"}, {"anger", "fear"}, {"fear"}],
         [{"joy"}, {"joy"}, {"joy"}],
         [{"fear", "anger"}, {"fear", "anger"}, {"anger"}],
         [{"trust"}, {"joy", "trust"}, None]]


def test_multi_label_masi_alpha_against_nltk():
    meta = LabelMeta(sentiment=["anger", "fear", "joy", "trust"], multi_label=True)
    docs = [{"id": u, "annotations": {
        who: None if labels is None else {"sentiment": sorted(labels)}
        for who, labels in zip(PEOPLE, row, strict=True)}} for u, row in enumerate(MULTI)]
    report = agreement_report(docs, meta, replicates=100)
    task = AnnotationTask([(who, str(u), frozenset(labels)) for u, row in enumerate(MULTI)
                           for who, labels in zip(PEOPLE, row, strict=True) if labels],
                          distance=masi_distance)
    alpha = report["sentiment"]["krippendorff_alpha"]
    assert alpha["masi"] == pytest.approx(task.alpha(), abs=1e-12)
    assert alpha["nominal"] is not None
    assert alpha["nominal"] < alpha["masi"]
    assert alpha["ordinal"] is None
    assert set(report["sentiment"]["per_label"]) == {"anger", "fear", "joy", "trust"}
    assert report["sentiment"]["per_label"]["joy"]["count"] == 7
    notes = " ".join(n["message"] for n in report["notes"])
    assert "MASI" in notes


def test_masi_matrix_against_nltk():
    sets = [frozenset(), frozenset({0}), frozenset({0, 1}), frozenset({1, 2}), frozenset({3})]
    ours = masi_distances(set_membership(sets, 4))
    for i, a in enumerate(sets):
        for j, b in enumerate(sets):
            if a or b:
                assert ours[i, j] == pytest.approx(masi_distance(set(a), set(b)))


def test_unlabelled_matching_has_no_macro_and_no_score_above_one():
    """Same spans, different labels: unlabelled matches pair PER with ORG, so per-label
    counts (tp by a's label) would exceed b's count of that label and give F1 > 1."""
    docs = [{"id": i, "text": "Alice works at Acme today.", "annotations": {
        "a": {"entities": [{"id": "x", "start": 0, "end": 5, "label": "PER"},
                           {"id": "y", "start": 15, "end": 19, "label": "PER"}]},
        "b": {"entities": [{"id": "x", "start": 0, "end": 5, "label": "ORG"},
                           {"id": "y", "start": 15, "end": 19, "label": "PER"}]}}}
        for i in range(4)]
    entities = agreement_report(docs, META, replicates=20)["entities"]
    for key in ("f1_exact_unlabelled", "f1_overlap_unlabelled"):
        assert entities[key]["micro"] == 1.0
        assert entities[key]["macro"] is None
        assert entities[key]["pairs"][0]["macro"] is None
    # Labelled: PER 1 match of (2 + 1) spans -> 2/3; ORG 0 of (0 + 1) -> 0; macro 1/3.
    assert entities["f1_exact"]["macro"] == pytest.approx(1 / 3)
    assert entities["f1_exact"]["pairs"][0]["macro"] == pytest.approx(1 / 3)
