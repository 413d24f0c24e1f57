import io
import json

import pytest

from annotation.readers import formats
from annotation.readers.records import Entity, Labelling, Problem, Record, Relation

TEXT = "👩‍💻 Alice 🇫🇷 met 阿里巴巴"
ALICE, ALI = TEXT.index("Alice"), TEXT.index("阿里巴巴")


def read(*lines: object) -> list[Record | Problem]:
    data = "".join(
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) + "\n"
        for line in lines
    )
    return list(formats.read("doccano", io.BytesIO(data.encode())))


def test_sequence_labelling_export():
    # doccano "JSONL" export of a sequence-labelling project.
    items = read(
        {
            "id": 12,
            "text": TEXT,
            "label": [[ALICE, ALICE + 5, "PER"], [ALI, ALI + 4, "ORG"]],
            "Comments": [],
        },
        {"id": 13, "text": "Nothing here", "label": [], "Comments": []},
    )
    assert items == [
        Record(
            1,
            TEXT,
            "12",
            {"Comments": []},
            gold=Labelling([Entity(ALICE, ALICE + 5, "PER"), Entity(ALI, ALI + 4, "ORG")]),
        ),
        Record(2, "Nothing here", "13", {"Comments": []}),
    ]


def test_relation_export():
    line = {
        "id": 3,
        "text": TEXT,
        "entities": [
            {"id": 17, "label": "PER", "start_offset": ALICE, "end_offset": ALICE + 5},
            {"id": 18, "label": "ORG", "start_offset": ALI, "end_offset": ALI + 4},
        ],
        "relations": [{"id": 5, "from_id": 17, "to_id": 18, "type": "works_for"}],
        "Comments": ["checked"],
    }
    [record] = read(line)
    assert record == Record(
        1,
        TEXT,
        "3",
        {"Comments": ["checked"]},
        gold=Labelling(
            [Entity(ALICE, ALICE + 5, "PER", "T17"), Entity(ALI, ALI + 4, "ORG", "T18")],
            [Relation("T17", "T18", "works_for")],
        ),
    )
    assert [TEXT[e.start : e.end] for e in record.gold.entities] == ["Alice", "阿里巴巴"]


def test_text_classification_export():
    items = read(
        {"id": 1, "text": "Great!", "label": ["positive"]},
        {"id": 2, "text": "Meh", "label": ["neutral", "negative"]},
        {"id": 3, "data": "Old doccano kept the text here", "label": ["positive"]},
    )
    assert items == [
        Record(1, "Great!", "1", gold=Labelling(sentiment="positive")),
        Record(2, "Meh", "2", gold=Labelling(sentiment=["neutral", "negative"])),
        Record(3, "Old doccano kept the text here", "3", gold=Labelling(sentiment="positive")),
    ]


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (
            {"text": "a", "label": [[0, 1]]},
            "label[0]",
            "must be [start, end, label] or a label name",
        ),
        ({"text": "a", "label": [[0, "1", "X"]]}, "label[0][1]", "must be an integer, got string"),
        ({"text": "a", "label": "positive"}, "label", "must be an array, got string"),
        (
            {"text": "a", "entities": [{"id": 1, "label": "X", "start_offset": 0}]},
            "entities[0].end_offset",
            "must be an integer, got null",
        ),
        (
            {
                "text": "a",
                "entities": [{"id": 1, "label": "X", "start_offset": 0, "end_offset": 1}],
                "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "r"}],
            },
            "relations[0].to_id",
            "no entity with id '2' in this record",
        ),
        ({"label": ["x"]}, "text", "missing"),
        ({"text": 3}, "text", "must be a string, got number"),
    ],
)
def test_problems(line, field, message):
    items = read(line, {"text": "next"})
    assert items == [Problem(1, field, message), Record(2, "next")]


def test_malformed_and_duplicate_lines():
    items = read(
        {"id": 1, "text": "a"},
        '{"id": 2, "text": "b", "label": [[0, 1, "X"]\n',
        {"id": 1, "text": "c"},
    )
    assert items == [
        Record(1, "a", "1"),
        Problem(2, "", "malformed JSON: Expecting ',' delimiter at column 45"),
        Problem(3, "id", "duplicate id '1' (first seen on line 1)"),
    ]
