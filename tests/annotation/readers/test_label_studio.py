import copy
import io
import json

import pytest

from annotation.readers import formats
from annotation.readers.records import (
    Entity,
    Labelling,
    PredictedEntity,
    PredictedRelation,
    Predictions,
    Problem,
    Record,
    Relation,
    Source,
)

TEXT = "👩‍💻 Alice 🇫🇷 met 阿里巴巴"
ALICE, ALI = TEXT.index("Alice"), TEXT.index("阿里巴巴")


def region(rid: str, start: int, end: int, label: str, text: str = TEXT) -> dict:
    return {
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
    }


# Shaped like Label Studio's "JSON" export (Export > JSON) for a NER + relations + sentiment
# project: <Labels name="label">, <Relations>, <Choices name="sentiment">.
EXPORT = [
    {
        "id": 101,
        "annotations": [
            {
                "id": 1,
                "completed_by": {
                    "id": 7,
                    "email": "alice@example.com",
                    "first_name": "",
                    "last_name": "",
                },
                "result": [
                    region("r1", ALICE, ALICE + 5, "PER"),
                    region("r2", ALI, ALI + 4, "ORG"),
                    {
                        "from_id": "r1",
                        "to_id": "r2",
                        "type": "relation",
                        "direction": "right",
                        "labels": ["works_for"],
                    },
                    {
                        "from_id": "r2",
                        "to_id": "r1",
                        "type": "relation",
                        "direction": "left",
                        "labels": ["met"],
                    },
                    {
                        "value": {"choices": ["positive"]},
                        "id": "c1",
                        "from_name": "sentiment",
                        "to_name": "text",
                        "type": "choices",
                        "origin": "manual",
                    },
                    {
                        "value": {"choices": ["certain"]},
                        "id": "r1",
                        "from_name": "confidence",
                        "to_name": "text",
                        "type": "choices",
                    },  # a per-region attribute
                    {
                        "value": {"text": ["a note"]},
                        "id": "n1",
                        "from_name": "notes",
                        "to_name": "text",
                        "type": "textarea",
                    },
                ],
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": "2024-03-01T10:00:00.000000Z",
                "lead_time": 12.5,
            },
            {
                "id": 2,
                "completed_by": 9,
                "result": [
                    {
                        "value": {"choices": ["positive", "neutral"]},
                        "id": "c2",
                        "from_name": "sentiment",
                        "to_name": "text",
                        "type": "choices",
                    },
                    {
                        "from_id": "x1",
                        "to_id": "x2",
                        "type": "relation",
                        "direction": "bi",
                        "labels": ["knows"],
                    },
                    region("x1", 0, 3, "EMOJI"),
                    region("x2", ALICE, ALICE + 5, "PER"),
                ],
                "was_cancelled": False,
            },
            {"id": 3, "completed_by": 8, "result": [region("z", 0, 1, "X")], "was_cancelled": True},
        ],
        "predictions": [
            {
                "id": 5,
                "model_version": "v2",
                "score": 0.9,
                "result": [region("p1", ALICE, ALICE + 5, "PER")],
            },
            {"id": 6, "model_version": "v1", "result": []},
        ],
        "data": {"text": TEXT, "source": "news", "lang": "mixed"},
        "meta": {},
        "created_at": "2024-03-01T09:00:00.000000Z",
        "inner_id": 1,
        "total_annotations": 2,
        "cancelled_annotations": 1,
        "project": 3,
    },
    {
        "id": 102,
        "annotations": [],
        "predictions": [],
        "data": {"review": "Plain review"},
        "meta": {},
        "inner_id": 2,
        "project": 3,
    },
]


def read(data: object) -> list[Record | Problem]:
    raw = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    return list(formats.read("label-studio", io.BytesIO(raw)))


def test_export():
    first, second = read(EXPORT)
    assert first == Record(
        line=1,
        text=TEXT,
        id="101",
        meta={"source": "news", "lang": "mixed"},
        annotations=[
            (
                "alice",
                Labelling(
                    [Entity(ALICE, ALICE + 5, "PER", "r1"), Entity(ALI, ALI + 4, "ORG", "r2")],
                    [Relation("r1", "r2", "works_for"), Relation("r1", "r2", "met")],
                    "positive",
                ),
            ),
            (
                "ls-user-9",
                Labelling(
                    [Entity(0, 3, "EMOJI", "x1"), Entity(ALICE, ALICE + 5, "PER", "x2")],
                    [Relation("x1", "x2", "knows")],
                    ["positive", "neutral"],
                ),
            ),
        ],
        # the first prediction, with its model version and score
        predictions=Predictions([PredictedEntity(ALICE, ALICE + 5, "PER", "p1",
                                                 Source(None, "v2", 0.9))]),
    )
    assert TEXT[ALI : ALI + 4] == "阿里巴巴"
    assert second == Record(2, "Plain review", "102")


def test_annotator_names():
    task = {
        "id": 1,
        "data": {"text": "a"},
        "annotations": [
            {"completed_by": {"id": 3, "username": "bob"}, "result": []},
            {"completed_by": {"id": 4}, "result": []},
            {"completed_by": "carol@example.org", "result": []},
        ],
    }
    [record] = read([task])
    assert [who for who, _ in record.annotations] == ["bob", "ls-user-4", "carol"]


def test_the_last_annotation_of_a_user_wins():
    task = {
        "id": 1,
        "data": {"text": "ab"},
        "annotations": [
            {"completed_by": 1, "result": [region("a", 0, 1, "X", "ab")]},
            {"completed_by": 1, "result": [region("b", 1, 2, "Y", "ab")]},
        ],
    }
    [record] = read([task])
    assert record.annotations == [("ls-user-1", Labelling([Entity(1, 2, "Y", "b")]))]


def test_utf16_offsets_of_old_exports_are_converted():
    text = "🎉 Alice"  # JavaScript counts the emoji as 2
    legacy = region("a", 3, 8, "PER", text)
    legacy["value"]["text"] = "Alice"
    [record] = read(
        [
            {
                "id": 1,
                "data": {"text": text},
                "annotations": [{"completed_by": 1, "result": [legacy]}],
            }
        ]
    )
    assert record.annotations[0][1].entities == [Entity(2, 7, "PER", "a")]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            lambda t: t["annotations"][0]["result"][0]["value"].update(text="Bob"),
            "annotations[0].result[0].value",
            "the text at 4..9 is 'Alice', but the region says 'Bob'",
        ),
        (
            lambda t: t["annotations"][0]["result"][2].update(labels=[]),
            "annotations[0].result[2].labels",
            "a relation needs a label",
        ),
        (
            lambda t: t["annotations"][0]["result"][2].update(to_id="nope"),
            "annotations[0].result[2].to_id",
            "no labelled region with id 'nope' in this annotation",
        ),
        (
            lambda t: t["annotations"][0]["result"][0]["value"].update(start="4"),
            "annotations[0].result[0].value.start",
            "must be an integer, got string",
        ),
        (
            lambda t: t["annotations"][0].pop("completed_by"),
            "annotations[0].completed_by",
            "missing",
        ),
        (lambda t: t.pop("data"), "data", "missing"),
        (lambda t: t.update(data={"n": 1}), "data", "no text: data holds no string"),
        (lambda t: t.update(predictions=[[]]), "predictions[0]", "must be an object, got array"),
        (lambda t: t["predictions"][0].update(score=1.5), "predictions[0].score",
         "must be a number from 0 to 1, got 1.5"),
        (lambda t: t["predictions"][0].update(model_version=["v"]),
         "predictions[0].model_version", "must be a string, got array"),
        (lambda t: t["predictions"][0]["result"][0].update(score="high"),
         "predictions[0].result[0].score", "must be a number from 0 to 1, got string"),
    ],
)
def test_problems(change, field, message):
    task = copy.deepcopy(EXPORT[0])
    change(task)
    first, second = read([task, EXPORT[1]])
    assert first == Problem(1, field, message)
    assert isinstance(second, Record)


def test_duplicate_task_ids_and_truncated_export():
    data = json.dumps([EXPORT[1], EXPORT[1], EXPORT[0]]).encode()[:-300]
    items = read(data)
    assert items[0] == Record(1, "Plain review", "102")
    assert items[1] == Problem(2, "id", "duplicate id '102' (first seen on record 1)")
    assert items[2].line == 3
    assert items[2].message == "malformed JSON after record 2: parse error: premature EOF"


def test_prediction_results_carry_their_own_score_and_the_prediction_s_version():
    task = {"data": {"text": "Alice met Bob"}, "predictions": [{
        "model_version": 7, "score": 0.5, "result": [
            {"id": "a", "type": "labels", "score": 0.25,
             "value": {"start": 0, "end": 5, "labels": ["PER"]}},
            {"id": "b", "type": "labels", "value": {"start": 10, "end": 13, "labels": ["PER"]}},
            {"type": "relation", "from_id": "a", "to_id": "b", "labels": ["knows"],
             "score": 0.75},
            {"type": "choices", "value": {"choices": ["positive"]}}]}]}
    (record,) = read([task])
    assert isinstance(record, Record)
    assert record.predictions == Predictions(
        [PredictedEntity(0, 5, "PER", "a", Source(None, "7", 0.25)),
         PredictedEntity(10, 13, "PER", "b", Source(None, "7", 0.5))],
        [PredictedRelation("a", "b", "knows", Source(None, "7", 0.75))],
        ["positive"], [Source(None, "7", 0.5)])


def test_a_prediction_without_version_or_score_has_the_default_source():
    task = {"data": {"text": "Alice"}, "predictions": [{"result": [
        {"id": "a", "type": "labels", "value": {"start": 0, "end": 5, "labels": ["PER"]}}]}]}
    (record,) = read([task])
    assert isinstance(record, Record)
    assert record.predictions == Predictions([PredictedEntity(0, 5, "PER", "a")])
