"""The balance aggregates the agreement job stores: label counts in submitted work and gold,
overall and per meta-field slice, and agreement inside each slice."""

import numpy as np
import pytest
from django.test import override_settings

from annotation.models import AgreementReport, Document
from annotation.pure.agreement.inputs import LabelMeta, parse
from annotation.pure.agreement.report import corpus_report
from annotation.pure.agreement.slices import headline, slice_agreement, subset
from annotation.pure.balance import shares, spread
from annotation.services.agreement.balance import meta_fields
from annotation.services.agreement.jobs import agreement_start
from annotation.services.store import annotation_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PER = {"start": 0, "end": 5, "label": "PER"}
ORG = {"start": 13, "end": 17, "label": "ORG"}


def _doc(world, n, meta):
    return Document.objects.create(project=world.project, text="Alice joined 阿里巴巴 in 2019",
                                   meta=meta, content_hash=f"h{n}", external_id=f"d{n}")


def _run(world, capture):
    with capture(execute=True):
        job = agreement_start(project=world.project, by=world.users["manager"])
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    return AgreementReport.objects.get(project=world.project).report["balance"]


def test_the_job_stores_label_counts_overall_and_per_meta_value(world,
                                                                 django_capture_on_commit_callbacks):
    ann_a, ann_b = UserFactory(username="ann-a"), UserFactory(username="ann-b")
    news = [_doc(world, i, {"source": "news", "lang": "en", "title": f"t{i}"}) for i in range(3)]
    blog = _doc(world, 9, {"source": "blog", "lang": "en", "tags": ["x"]})
    for doc in news:  # both annotators agree on the news documents
        for who in (ann_a, ann_b):
            annotation_save(document=doc, annotator=who, status="submitted", version=0,
                            content={"entities": [PER, ORG], "sentiment": "positive"})
    annotation_save(document=blog, annotator=ann_a, status="submitted", version=0,
                    content={"entities": [PER], "sentiment": "negative"})
    annotation_save(document=blog, annotator=ann_b, status="submitted", version=0,
                    content={"entities": [ORG], "sentiment": "positive"})
    annotation_save(document=news[0], annotator=None, kind="gold", status="submitted",
                    version=0, content={"entities": [PER], "sentiment": "positive"})
    with override_settings(CONCORD_BALANCE_MAX_VALUES=2):
        balance = _run(world, django_capture_on_commit_callbacks)

    assert balance["labels"] == {"entity": ["PER", "ORG"], "relation": ["works_for"],
                                 "sentiment": ["positive", "negative"]}
    overall = balance["overall"]
    # world.document has no annotations; 3 news + 1 blog have two submissions each
    assert (overall["documents"], overall["submitted_documents"],
            overall["gold_documents"]) == (5, 4, 1)
    assert overall["submitted"] == {"entity": [7, 7], "relation": [0],
                                    "sentiment": [7, 1]}
    assert overall["gold"] == {"entity": [1, 0], "relation": [0], "sentiment": [1, 0]}

    fields = {f["name"]: f for f in balance["fields"]}
    assert set(fields) == {"lang", "source"}  # title: 3 values > 2; tags: a list
    assert {s["name"]: s["reason"] for s in balance["skipped_fields"]} == {
        "tags": "its values are lists or objects", "title": "more than 2 distinct values"}
    source = {v["value"]: v for v in fields["source"]["values"]}
    assert list(source) == ["news", "blog", None]  # most documents first, "no value" last
    assert source["news"]["submitted"]["entity"] == [6, 6]
    assert source["blog"]["submitted"] == {"entity": [1, 1], "relation": [0],
                                           "sentiment": [1, 1]}
    assert source["news"]["gold"]["sentiment"] == [1, 0]
    assert (source[None]["documents"], source[None]["submitted_documents"]) == (1, 0)
    assert source[None]["agreement"] is None
    assert source["news"]["agreement"]["values"]["entity_f1"] == pytest.approx(1.0)
    assert source["blog"]["agreement"]["values"]["entity_f1"] == pytest.approx(0.0)
    assert source["news"]["agreement"]["documents"] == 3
    assert source["blog"]["agreement"]["documents"] == 1


def test_meta_fields_codes_values_and_caps():
    rows = [(5, {"a": "x", "b": 1}), (2, {"a": "y", "b": True}), (9, {"a": "x", "c": None}),
            (7, "not a dict"), (3, {"b": 1.5, "d": {"k": 1}})]
    fields = meta_fields(rows, max_values=3, max_fields=1)
    assert fields.ids.tolist() == [2, 3, 5, 7, 9]
    assert list(fields.codes) == ["a"]  # a and b are on 3 documents each: ties go by name
    assert fields.values["a"] == ["x", "y"]
    assert fields.codes["a"].tolist() == [1, -1, 0, -1, 0]  # ids 2, 3, 5, 7, 9
    assert {s["name"] for s in fields.skipped} == {"b", "d"}  # c has no value at all
    assert meta_fields(rows, 3, 5).values["b"] == ["1", "true", "1.5"]


def test_a_slice_report_matches_the_report_of_those_documents_alone():
    labels = LabelMeta(sentiment=["pos", "neg"], entities=["PER"])
    rng = np.random.default_rng(3)
    docs = []
    for i in range(40):
        anns = {}
        for a in ("a", "b", "c"):
            if rng.random() < 0.85:
                anns[a] = {"sentiment": ["pos", "neg"][int(rng.random() < 0.3)],
                           "entities": [(0, 3 + int(rng.random() < 0.2), "PER")]}
        docs.append({"id": i, "annotations": anns})
    corpus = parse(docs, labels)
    keep = np.array([i % 3 == 0 for i in range(40)])
    alone = corpus_report(parse([d for d, k in zip(docs, keep, strict=True) if k], labels),
                          labels, replicates=0)
    got = slice_agreement(corpus, labels, keep)
    assert got["values"] == pytest.approx(headline(alone)["values"])
    assert got["documents"] == int(keep.sum())
    assert subset(corpus, keep).texts is None


def test_headline_notes_explain_null_values():
    labels = LabelMeta(sentiment=["pos", "neg"])
    corpus = parse([{"id": 1, "annotations": {"a": {"sentiment": "pos"}}}], labels)
    got = headline(corpus_report(corpus, labels, replicates=0))
    assert got["values"]["sentiment_alpha"] is None
    assert got["notes"]["sentiment_alpha"]


def test_shares_flag_labels_under_the_floor():
    rows = shares(["A", "B", "C"], [98, 2, 0], 0.05)
    assert [(r.label, r.share, r.low) for r in rows] == [("A", 0.98, False), ("B", 0.02, True),
                                                         ("C", 0.0, True)]
    assert [r.low for r in shares(["A"], [0], 0.05)] == [False]
    assert spread([0.2, None, 0.7]) == pytest.approx(0.5)
    assert spread([0.2, None]) is None
