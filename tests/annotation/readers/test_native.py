import codecs
import io
import json

import pytest

from annotation.readers import formats
from annotation.readers.records import Entity, FileError, Labelling, Problem, Record, Relation
from tests.annotation.readers.streams import Counting

TEXT = "👩‍💻 Alice 🇫🇷 met 阿里巴巴"


def jsonl(*records: object) -> bytes:
    return "".join(
        r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) + "\n" for r in records
    ).encode()


def read(fmt: str, data: bytes, **options: object) -> list[Record | Problem]:
    return list(formats.read(fmt, io.BytesIO(data), **options))


def only_problem(fmt: str, data: bytes) -> Problem:
    items = read(fmt, data)
    assert len(items) == 1
    assert isinstance(items[0], Problem), items[0]
    return items[0]


def test_full_record_keeps_code_point_offsets():
    alice, ali = TEXT.index("Alice"), TEXT.index("阿里巴巴")
    assert (alice, ali) == (4, 17)  # code points: the ZWJ sequence is 3, the flag 2
    line = {
        "id": "doc-17",
        "text": TEXT,
        "meta": {"source": "news", "n": 1.5},
        "annotations": [
            {
                "annotator": "alice",
                "entities": [
                    {"id": "T1", "start": alice, "end": alice + 5, "label": "PER", "text": "Alice"},
                    {"id": "T2", "start": ali, "end": ali + 4, "label": "ORG"},
                ],
                "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
                "sentiment": "positive",
            }
        ],
        "gold": {
            "entities": [{"start": 0, "end": 2, "label": "MISC"}],
            "sentiment": ["positive", "neutral"],
        },
        "predictions": {"entities": [], "sentiment": None},
    }
    [record] = read("jsonl", jsonl(line))
    assert record == Record(
        line=1,
        text=TEXT,
        id="doc-17",
        meta={"source": "news", "n": 1.5},
        annotations=[
            (
                "alice",
                Labelling(
                    [Entity(alice, alice + 5, "PER", "T1"), Entity(ali, ali + 4, "ORG", "T2")],
                    [Relation("T1", "T2", "works_for")],
                    "positive",
                ),
            )
        ],
        gold=Labelling([Entity(0, 2, "MISC")], [], ["positive", "neutral"]),
        predictions=Labelling(),
    )
    [(_, lab)] = record.annotations
    assert [record.text[e.start : e.end] for e in lab.entities] == ["Alice", "阿里巴巴"]


def test_minimal_records_blank_lines_and_line_numbers():
    data = b'{"text": "a"}\r\n\r\n   \n{"text": "b", "id": 7}\n{"text": "c"}'
    items = read("jsonl", data)
    assert [(r.line, r.text, r.id) for r in items] == [
        (1, "a", None),
        (4, "b", "7"),
        (5, "c", None),
    ]


def test_integer_entity_and_relation_ids():
    line = {
        "text": "ab",
        "gold": {
            "entities": [
                {"id": 1, "start": 0, "end": 1, "label": "X"},
                {"id": "2", "start": 1, "end": 2, "label": "X"},
            ],
            "relations": [{"head": 1, "tail": 2, "label": "r"}],
        },
    }
    [record] = read("jsonl", jsonl(line))
    assert record.gold == Labelling(
        [Entity(0, 1, "X", "1"), Entity(1, 2, "X", "2")], [Relation("1", "2", "r")]
    )


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (
            '{"text": "a",}\n',
            "",
            "malformed JSON: Expecting property name enclosed in double quotes at column 14",
        ),
        ('{"text": "trunc', "", "malformed JSON: Unterminated string starting at column 10"),
        ('{"text": "a"} {"text": "b"}\n', "", "malformed JSON: Extra data at column 15"),
        ('["text"]\n', "", "a record must be a JSON object, got array"),
        ('{"id": 1}\n', "text", "missing"),
        ('{"text": 5}\n', "text", "must be a string, got number"),
        ('{"text": ["a"]}\n', "text", "must be a string, got array"),
        ('{"text": null}\n', "text", "must be a string, got null"),
        ('{"text": "a", "id": true}\n', "id", "must be a string or an integer, got boolean"),
        ('{"text": "a", "id": 1.5}\n', "id", "must be a string or an integer, got number"),
        ('{"text": "a", "meta": []}\n', "meta", "must be an object, got array"),
        (
            '{"text": "a", "label": [[0, 1, "X"]]}\n',
            "label",
            "not a key of Concord's native record (is this a doccano export? choose that format)",
        ),
        ('{"text": "a", "annotations": {}}\n', "annotations", "must be an array, got object"),
        (
            '{"text": "a", "annotations": [{"entities": []}]}\n',
            "annotations[0].annotator",
            "missing",
        ),
        (
            '{"text": "a", "annotations": [{"annotator": "x"}, {"annotator": "x"}]}\n',
            "annotations[1].annotator",
            "annotator 'x' appears twice",
        ),
        ('{"text": "a", "gold": []}\n', "gold", "must be an object, got array"),
        (
            '{"text": "a", "gold": {"entities": [[0, 1, "X"]]}}\n',
            "gold.entities[0]",
            "must be an object, got array",
        ),
        (
            '{"text": "a", "gold": {"entities": [{"start": true, "end": 1, "label": "X"}]}}\n',
            "gold.entities[0].start",
            "must be an integer, got boolean",
        ),
        (
            '{"text": "a", "gold": {"entities": [{"start": 0, "end": 1.0, "label": "X"}]}}\n',
            "gold.entities[0].end",
            "must be an integer, got number",
        ),
        (
            '{"text": "a", "gold": {"entities": [{"start": 0, "end": 1}]}}\n',
            "gold.entities[0].label",
            "missing",
        ),
        (
            '{"text": "a", "gold": {"entities": [{"start": 0, "end": 1, "label": ""}]}}\n',
            "gold.entities[0].label",
            "must not be empty",
        ),
        (
            '{"text": "a", "predictions": {"entities": [{"id": "T1", "start": 0, "end": 1, '
            '"label": "X"}, {"id": "T1", "start": 0, "end": 1, "label": "Y"}]}}\n',
            "predictions.entities[1].id",
            "duplicate entity id 'T1'",
        ),
        (
            '{"text": "a", "gold": {"entities": [{"id": "T1", "start": 0, "end": 1, '
            '"label": "X"}], '
            '"relations": [{"head": "T1", "tail": "T9", "label": "r"}]}}\n',
            "gold.relations[0].tail",
            "no entity with id 'T9' in this labelling",
        ),
        (
            '{"text": "a", "gold": {"entities": [{"start": 0, "end": 1, "label": "X"}], '
            '"relations": [{"head": "T1", "tail": "T1", "label": "r"}]}}\n',
            "gold.relations[0].head",
            "no entity with id 'T1' in this labelling",
        ),
        (
            '{"text": "a", "gold": {"entities": [{"id": "T1", "start": 0, "end": 1, '
            '"label": "X"}], '
            '"relations": [{"head": "T1", "tail": "T1"}]}}\n',
            "gold.relations[0].label",
            "missing",
        ),
        (
            '{"text": "a", "gold": {"sentiment": 3}}\n',
            "gold.sentiment",
            "must be a string, a list of strings or null, got number",
        ),
        (
            '{"text": "a", "gold": {"sentiment": ["a", 1]}}\n',
            "gold.sentiment",
            "must be a string, a list of strings or null, got array",
        ),
        (
            '{"text": "a\\ud800b"}\n',
            "text",
            "an unpaired surrogate escape (\\ud800-\\udfff) is not valid Unicode",
        ),
    ],
)
def test_problems(line, field, message):
    assert only_problem("jsonl", line.encode()) == Problem(1, field, message)


def test_a_problem_does_not_stop_the_next_record():
    data = jsonl({"text": 1}, '{"text": \n', {"text": "ok"}, '{"text": "a\\ud83d\\ude00"}\n')
    items = read("jsonl", data)
    assert [type(i).__name__ for i in items] == ["Problem", "Problem", "Record", "Record"]
    assert items[3].text == "a😀"


def test_duplicate_ids():
    data = jsonl(
        {"id": "x", "text": "a"},
        {"id": "y", "text": "b"},
        {"id": "x", "text": "c"},
        {"id": 5, "text": "d"},
        {"id": "5", "text": "e"},
        {"id": "x", "text": 0},
    )
    items = read("jsonl", data)
    assert [i.as_dict() for i in items if isinstance(i, Problem)] == [
        {"line": 3, "field": "id", "message": "duplicate id 'x' (first seen on line 1)"},
        {"line": 5, "field": "id", "message": "duplicate id '5' (first seen on line 4)"},
        {"line": 6, "field": "text", "message": "must be a string, got number"},
    ]


def test_utf16_jsonl():
    data = codecs.BOM_UTF16_LE + jsonl({"text": TEXT}).decode().encode("utf-16-le")
    [record] = read("jsonl", data)
    assert record.text == TEXT




def test_jsonl_streams():
    stream = Counting(jsonl(*({"text": f"doc {i}"} for i in range(100_000))))
    items = formats.read("jsonl", stream, chunk_size=8192)
    assert next(items).text == "doc 0"
    assert stream.count <= 8192 < len(stream.getvalue()) // 100


# JSON arrays: `line` is the record's index in the array.


def test_json_array():
    data = json.dumps(
        [
            {"id": "a", "text": TEXT},
            {"text": "b", "gold": {"sentiment": "pos"}},
            "oops",
            {"id": "a", "text": "c"},
        ],
        ensure_ascii=False,
    ).encode()
    items = read("json", data)
    assert items[0] == Record(1, TEXT, "a")
    assert items[1] == Record(2, "b", gold=Labelling(sentiment="pos"))
    assert items[2] == Problem(3, "", "a record must be a JSON object, got string")
    assert items[3] == Problem(4, "id", "duplicate id 'a' (first seen on record 1)")


def test_json_numbers_are_plain_floats():
    [record] = read("json", b'[{"text": "a", "meta": {"score": 0.5, "n": 2}}]')
    assert record.meta == {"score": 0.5, "n": 2}
    assert type(record.meta["score"]) is float


def test_truncated_json_array_keeps_the_good_records():
    data = b'[{"text": "a"}, {"text": "b"}, {"text": "c", "gold": {"entit'
    items = read("json", data)
    assert items[:2] == [Record(1, "a"), Record(2, "b")]
    assert items[2] == Problem(3, "", "malformed JSON after record 2: parse error: premature EOF")
    assert len(items) == 3


def test_json_syntax_error_in_the_middle():
    items = read("json", b'[{"text": "a"}, {"text": "b" "c"}, {"text": "d"}]')
    assert items[0] == Record(1, "a")
    assert isinstance(items[1], Problem)
    assert items[1].line == 2
    assert items[1].message.startswith("malformed JSON after record 1: parse error")


@pytest.mark.parametrize("data", [b'{"text": "a"}', b"  \n  42", b"\n\n   "])
def test_json_top_level_must_be_an_array(data):
    with pytest.raises(FileError, match="must hold an array"):
        read("json", data)


def test_json_empty_array_and_leading_space_and_utf16():
    assert read("json", b" \n []") == []
    text = json.dumps([{"text": TEXT}], ensure_ascii=False)
    data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    assert read("json", data, chunk_size=16) == [Record(1, TEXT)]
    assert read("json", b" " * 100 + text.encode(), chunk_size=16) == [Record(1, TEXT)]


def test_json_streams():
    data = json.dumps([{"text": f"doc {i}"} for i in range(100_000)]).encode()
    stream = Counting(data)
    items = formats.read("json", stream, chunk_size=8192)
    assert next(items).text == "doc 0"
    assert stream.count < 100_000 < len(data)


def test_json_garbage_at_the_start():
    assert read("json", b"[nope]") == [
        Problem(
            1,
            "",
            "malformed JSON before the first record: lexical error: invalid string in json text.",
        )
    ]
