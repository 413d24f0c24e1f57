"""The report over every project shape: any subset of tasks, any label schema (none
included), any k, empty data. Nothing may raise; a task the project does not run has a null
section; every null headline number of a section that runs says why."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from annotation.pure.agreement.inputs import LabelMeta
from annotation.pure.agreement.report import agreement_report
from annotation.pure.agreement.slices import headline

TEXT = "Alice joined 阿里巴巴 in 2019 🎉 مرحبا"
SPANS = [(0, 5), (13, 17), (26, 27), (28, 33), (0, 3)]
TASK_SETS = [("ner",), ("sentiment",), ("ner", "relations"), ("ner", "sentiment"),
             ("ner", "relations", "sentiment")]
SECTIONS = {"ner": "entities", "relations": "relations", "sentiment": "sentiment"}


@st.composite
def shapes(draw):
    tasks = draw(st.sampled_from(TASK_SETS))
    names = {kind: [f"{kind[0].upper()}{i}" for i in range(draw(st.integers(0, 3)))]
             for kind in ("entity", "relation", "sentiment")}
    multi = draw(st.booleans())
    numeric = draw(st.booleans())
    meta = LabelMeta(sentiment=names["sentiment"],
                     sentiment_values=({n: float(i) for i, n in enumerate(names["sentiment"])}
                                       if numeric else None),
                     scale=draw(st.sampled_from(["nominal", "ordinal"])), multi_label=multi,
                     entities=names["entity"], relations=names["relation"], tasks=tasks)
    k = draw(st.integers(1, 3))
    documents = [_document(draw, d, tasks, names, multi, k)
                 for d in range(draw(st.integers(0, 6)))]
    return meta, documents


def _document(draw, d, tasks, names, multi, k):
    annotations = {}
    for a in range(k):
        if draw(st.integers(0, 4)) == 0:
            annotations[f"a{a}"] = None  # not submitted
            continue
        content = {}
        if "ner" in tasks and names["entity"]:
            spans = draw(st.lists(st.sampled_from(SPANS), max_size=3, unique=True))
            content["entities"] = [{"id": f"T{i + 1}", "start": s, "end": e,
                                    "label": draw(st.sampled_from(names["entity"]))}
                                   for i, (s, e) in enumerate(spans)]
            if "relations" in tasks and names["relation"] and len(spans) >= 2:
                content["relations"] = [{"head": "T1", "tail": "T2",
                                         "label": draw(st.sampled_from(names["relation"]))}]
        if "sentiment" in tasks and names["sentiment"] and draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(names["sentiment"]), min_size=1,
                                   unique=True))
            content["sentiment"] = chosen if multi else chosen[0]
        annotations[f"a{a}"] = content  # possibly empty: submitted with no labels
    return {"id": d, "text": TEXT, "annotations": annotations}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(shapes())
def test_every_shape_gives_a_report(shape):
    meta, documents = shape
    report = agreement_report(documents, meta, replicates=20)

    json.dumps(report, allow_nan=False)
    assert report["tasks"] == [t for t in ("sentiment", "ner", "relations") if t in meta.tasks]
    for task, section in SECTIONS.items():
        assert (report[section] is None) == (task not in meta.tasks), section
    numbers = headline(report, meta.multi_label)
    for name, value in numbers["values"].items():
        section = {"sentiment": "sentiment", "percent": "sentiment", "entity": "entities",
                   "relation": "relations"}[name.split("_")[0]]
        if value is None and report[section] is not None:
            assert numbers["notes"][name], f"{name} is null without a note"


def test_a_ner_only_project_has_entity_agreement_and_no_sentiment_section():
    doc = {"id": 1, "text": TEXT, "annotations": {
        "alice": {"entities": [{"start": 0, "end": 5, "label": "PER"}]},
        "bob": {"entities": [{"start": 0, "end": 5, "label": "PER"}]}}}
    for tasks in (("ner",), ("ner", "relations")):
        report = agreement_report([doc], LabelMeta(entities=["PER"], tasks=tasks))

        assert report["entities"]["f1_exact"]["mean"] == 1.0
        assert report["sentiment"] is None
        assert ("relations" in tasks) == (report["relations"] is not None)
        assert any(n["statistic"] == "tasks" for n in report["notes"])


def test_a_sentiment_task_without_sentiment_labels_reports_nulls_with_a_note():
    doc = {"id": 1, "text": TEXT, "annotations": {"alice": {}, "bob": {}}}
    report = agreement_report([doc], LabelMeta(tasks=("sentiment",)))

    assert report["sentiment"]["krippendorff_alpha"]["nominal"] is None
    assert any(n["statistic"] == "sentiment.labels" for n in report["notes"])
