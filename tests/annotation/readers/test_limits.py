"""Hostile records: nesting, keys and meta over the limits, in every format that has them.

Memory is checked with tracemalloc's peak on the pure readers: a bound of correctness (the
old reader took 21 GB for a 200 KB file of nested arrays), not a timing.
"""

import io
import json
import tracemalloc

import pytest

from annotation.readers import formats
from annotation.readers.decode import CHUNK_SIZE, open_text, sniff_format
from annotation.readers.formats import bounded
from annotation.readers.limits import Limits
from annotation.readers.records import FileError, Problem, Record

DEEP = "nested deeper than 32 levels of arrays and objects (the limit, CONCORD_IMPORT_MAX_DEPTH)"
MB = 1_000_000


def read(fmt: str, data: bytes, **options: object) -> list[Record | Problem]:
    return list(formats.read(fmt, io.BytesIO(data), **options))


def nested(n: int, leaf: str = "1") -> str:
    """`n` levels of objects: {"a": {"a": ... leaf}}."""
    return '{"a":' * n + leaf + "}" * n


def peak(fn) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# Depth: every JSON format, streamed, with the line (record number) and the field.


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_100k_nested_arrays_fail_their_record_in_a_few_mb(fmt):
    n = 100_000
    data = b"[" * n + b"]" * n  # 200 KB
    if fmt == "json":
        data = b"[" + data + b', {"text": "next"}]'
    else:
        data += b'\n{"text": "next"}\n'
    items, used = peak(lambda: read(fmt, data))
    assert items == [Problem(1, "", DEEP), Record(2, "next")]
    assert used < 8 * MB, f"{used / MB:.1f} MB"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_100k_nested_objects_under_meta_name_the_field(fmt):
    record = '{"text": "x", "meta": ' + nested(100_000) + "}"
    data = f"[{record}]" if fmt == "json" else record + "\n"
    items, used = peak(lambda: read(fmt, data.encode()))
    assert items == [Problem(1, "meta", DEEP)]
    assert used < 8 * MB, f"{used / MB:.1f} MB"


def test_label_studio_and_doccano_are_bounded_too():
    task = {"id": 1, "data": {"text": "x", "extra": "E"}}
    data = json.dumps([task, task | {"id": 2}]).replace('"E"', nested(50_000)).encode()
    items, used = peak(lambda: read("label-studio", data))
    assert items == [Problem(1, "data", DEEP), Problem(2, "data", DEEP)]
    assert used < 8 * MB
    line = '{"text": "x", "source": ' + nested(40) + "}\n"
    assert read("doccano", (line + '{"text": "y"}\n').encode()) == [
        Problem(1, "source", DEEP), Record(2, "y")]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_the_depth_limit_counts_the_record_as_level_one(fmt):
    def record(levels: int) -> str:  # the record, "meta", then the rest
        return '{"text": "x", "meta": ' + nested(levels - 2, "[]") + "}"

    ok, over = record(32), record(33)
    data = f"[{ok}, {over}]" if fmt == "json" else f"{ok}\n{over}\n"
    items = read(fmt, data.encode())
    assert isinstance(items[0], Record)
    assert items[1] == Problem(2, "meta", DEEP)


def test_a_deep_record_under_the_interpreters_recursion_limit_is_refused():
    """500 levels parse (the json module's limit is about 1,000), and are still refused."""
    line = '{"text": "x", "meta": ' + nested(500) + "}\n"
    assert read("jsonl", line.encode()) == [Problem(1, "meta", DEEP)]


def test_legitimate_records_pass_with_the_default_limits():
    entity = {"start": 0, "end": 1, "label": "PER"}
    record = {"text": "x", "meta": {"source": {"feed": {"items": [{"tags": ["a"]}]}}},
              "annotations": [{"annotator": f"u{i}", "entities": [entity] * 500,
                               "relations": [], "sentiment": "pos"} for i in range(5)]}
    line = json.dumps(record)
    assert all(isinstance(i, Record) for i in read("jsonl", (line + "\n").encode()))
    assert all(isinstance(i, Record) for i in read("json", f"[{line}]".encode()))


# Keys: counted while parsing, at every level.

KEYS = "more than 100 object keys in one record (the limit, CONCORD_IMPORT_MAX_KEYS)"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_too_many_keys_fail_the_record(fmt):
    limits = Limits(max_keys=100, max_meta_keys=1000)
    wide = {"text": "x", "meta": {"m": {f"k{i}": i for i in range(150)}}}
    top = {f"k{i}": i for i in range(150)} | {"text": "y"}
    ok = {"text": "z", "meta": {f"k{i}": i for i in range(98)}}  # 100 keys with text, meta
    lines = [json.dumps(r) for r in (wide, top, ok)]
    data = f"[{', '.join(lines)}]" if fmt == "json" else "\n".join(lines)
    items = read(fmt, data.encode(), limits=limits)
    assert items[:2] == [Problem(1, "meta", KEYS), Problem(2, "", KEYS)]
    assert isinstance(items[2], Record)


def test_keys_of_a_json_line_are_counted_before_it_is_built():
    """A line of 100,000 keys against a limit of 1,000: the reader never builds the dict."""
    line = "{" + ",".join(f'"k{i}":0' for i in range(100_000)) + ',"text":"x"}\n'
    data = line.encode()
    items, used = peak(lambda: read("jsonl", data, limits=Limits(max_keys=1000)))
    assert [(p.line, p.field) for p in items] == [(1, "")]
    assert used < first_line_peak(data) + 3 * len(line)  # the dict took 11 MB more


def first_line_peak(data: bytes) -> int:
    """What decoding the first line costs, whatever reads it."""
    return peak(lambda: next(iter(open_text(io.BytesIO(data), CHUNK_SIZE))))[1]


# Meta: count, key length, value size, in every format with a meta.


def test_native_meta_limits():
    limits = Limits(max_meta_keys=3, max_meta_key_chars=5, max_meta_value_chars=10)
    lines = [
        {"text": "a", "meta": {"a": 1, "b": 2, "c": 3, "d": 4}},
        {"text": "b", "meta": {"longkey": 1}},
        {"text": "c", "meta": {"k": "x" * 11}},
        {"text": "d", "meta": {"k": ["x" * 4, "y" * 4]}},  # ["xxxx", "yyyy"]: 16 characters
        {"text": "e", "meta": {"a": 1, "b": "x" * 10, "c": None}},
    ]
    items = read("jsonl", "\n".join(json.dumps(r) for r in lines).encode(), limits=limits)
    assert [i.as_dict() if isinstance(i, Problem) else i.line for i in items] == [
        {"line": 1, "field": "meta",
         "message": "4 meta keys; the limit is 3 (CONCORD_IMPORT_MAX_META_KEYS)"},
        {"line": 2, "field": "meta.longkey",
         "message": "a meta key of 7 characters; the limit is 5 "
                    "(CONCORD_IMPORT_MAX_META_KEY_CHARS)"},
        {"line": 3, "field": "meta.k", "message": "a meta value of 11 characters; the limit "
                                                  "is 10 (CONCORD_IMPORT_MAX_META_VALUE_CHARS)"},
        {"line": 4, "field": "meta.k", "message": "a meta value of 16 characters; the limit "
                                                  "is 10 (CONCORD_IMPORT_MAX_META_VALUE_CHARS)"},
        5,
    ]


def test_meta_keys_by_default_and_in_json_arrays():
    many = {"text": "a", "meta": {f"k{i}": i for i in range(101)}}
    assert read("json", json.dumps([many]).encode()) == [
        Problem(1, "meta", "101 meta keys; the limit is 100 (CONCORD_IMPORT_MAX_META_KEYS)")]


def test_a_long_meta_key_is_named_short():
    items = read("jsonl", json.dumps({"text": "a", "meta": {"k" * 300: 1}}).encode())
    assert items[0].field == f"meta.{'k' * 40}…"
    assert items[0].message.startswith("a meta key of 300 characters; the limit is 200 ")


def test_label_studio_and_doccano_meta_limits():
    limits = Limits(max_meta_keys=2)
    task = {"data": {"text": "x", "a": 1, "b": 2, "c": 3}}
    assert [(p.line, p.field) for p in read("label-studio", json.dumps([task]).encode(),
                                            limits=limits)] == [(1, "data")]
    line = {"text": "x", "a": 1, "b": 2, "c": 3}
    assert [(p.line, p.field) for p in read("doccano", json.dumps(line).encode(),
                                            limits=limits)] == [(1, "")]


def test_csv_columns_beyond_the_meta_limit_refuse_the_file():
    limits = Limits(max_meta_keys=2)
    assert len(read("csv", b"id,text,a,b\n1,x,y,z\n", limits=limits)) == 1
    assert len(read("csv", b"text,a,b\nx,y,z\n", limits=limits)) == 1
    with pytest.raises(FileError, match=r"4 columns; at most 2 besides the text and the id .*"
                                        r"CONCORD_IMPORT_MAX_META_KEYS"):
        read("csv", b"text,a,b,c\nx,1,2,3\n", limits=limits)
    with pytest.raises(FileError, match="CONCORD_IMPORT_MAX_META_KEYS"):
        read("tsv", b"\n\ntext\ta\tb\tc\tid\nx\t1\t2\t3\t4\n", limits=limits)
    # Quoted delimiters are no columns.
    assert len(read("csv", b'"a,b,c,d",text\n1,x\n', limits=limits)) == 1


def test_csv_column_names_and_cells_are_meta_keys_and_values():
    limits = Limits(max_meta_key_chars=5, max_meta_value_chars=3)
    with pytest.raises(FileError, match=r"'source'… has 6 characters; .* 5 "
                                        r"\(CONCORD_IMPORT_MAX_META_KEY_CHARS\)"):
        read("csv", b"text,source\nx,y\n", limits=limits)
    assert read("csv", b"text,src\nx,abcd\ny,abc\n", limits=limits) == [
        Problem(2, "src", "a meta value of 4 characters; the limit is 3 "
                          "(CONCORD_IMPORT_MAX_META_VALUE_CHARS)"),
        Record(3, "y", meta={"src": "abc"})]


def test_a_million_column_csv_is_refused_before_its_header_is_split():
    header = ",".join(f"c{i}" for i in range(1_000_000)) + ",text\n"  # 7.9 MB
    data = (header + "x," * 1_000_000 + "y\n").encode()
    with pytest.raises(FileError, match="1,000,001 columns"):
        read("csv", data)
    _none, used = peak(lambda: _refused("csv", data))
    assert used < first_line_peak(data) + 2 * len(header)  # splitting it took 64 MB more


def _refused(fmt: str, data: bytes) -> None:
    with pytest.raises(FileError):
        read(fmt, data)


# Format guessing reads the head with the same care.


def test_sniffing_a_deep_head_is_linear():
    head = b"[" * 65536
    kind, used = peak(lambda: sniff_format("upload", head))
    assert kind == "json"
    assert used < 8 * MB  # ijson.parse's prefixes took 10 GB and 35 s
    assert sniff_format("upload", b'{"a":' * 13_000) == "jsonl"  # was a RecursionError
    assert sniff_format("upload", b'[{"data": ' + b"[" * 60_000) == "label-studio"


def test_malformed_json_after_the_array_is_the_files_problem():
    assert read("json", b'[{"text": "a"}] x') == [
        Record(1, "a"),
        Problem(0, "", "malformed JSON after the array of records: parse error: trailing garbage"),
    ]


# Lines: a line over CONCORD_IMPORT_MAX_LINE_CHARS is counted, never held.


@pytest.mark.parametrize("fmt", ["jsonl", "doccano"])
def test_a_json_line_over_the_line_limit_is_its_problem_and_the_next_is_read(fmt):
    long = json.dumps({"text": "x" * 500}) + "\n"
    short = json.dumps({"text": "short"}) + "\n"
    items = read(fmt, (short + long + short).encode(), chunk_size=64,
                 limits=Limits(max_line_chars=100))
    assert [type(item) for item in items] == [Record, Problem, Record]
    problem = items[1]
    assert (problem.line, problem.field) == (2, "")
    assert problem.message == (f"the line holds {len(long):,} characters; a line may hold 100 "
                               f"(the limit, CONCORD_IMPORT_MAX_LINE_CHARS)")
    assert items[2].line == 3


@pytest.mark.parametrize(("fmt", "data"), [
    ("csv", "text,id\nshort,1\n" + "y" * 500 + ",2\n"),
    ("tsv", "text\tid\nshort\t1\n" + "y" * 500 + "\t2\n"),
    ("txt", "short\n" + "y" * 500 + "\n"),
    ("conll", "A O\n" + "y" * 500 + " O\n"),
])
def test_another_format_s_line_over_the_limit_refuses_the_file_naming_it(fmt, data):
    with pytest.raises(FileError) as caught:
        read(fmt, data.encode(), chunk_size=64, limits=Limits(max_line_chars=100))
    line = 3 if fmt in ("csv", "tsv") else 2
    assert str(caught.value).startswith(f"Line {line} holds 50")
    assert "CONCORD_IMPORT_MAX_LINE_CHARS" in str(caught.value)


def test_a_200_mb_json_line_costs_the_line_limit_not_the_line():
    data = b'{"text": "' + b"w " * (100 * MB) + b'"}\n{"text": "next"}\n'
    items, used = peak(lambda: read("jsonl", data, limits=Limits(max_line_chars=1_000_000)))
    assert [type(item) for item in items] == [Problem, Record]
    assert used < 10 * MB


@pytest.mark.parametrize(("fmt", "record"), [
    ("json", '{"text": "%s"}'), ("label-studio", '{"data": {"text": "%s"}}')])
def test_a_json_array_record_over_its_byte_budget_ends_the_reading_in_a_few_mb(fmt, record):
    """yajl holds a string whole until it ends: the budget (4 bytes a character of the line
    limit) stops a 100 MB text as it is read, not after."""
    huge = (record % ("w " * (50 * MB))).encode()
    data = b"[" + (record % "first").encode() + b", " + huge + b", " + (
        record % "third").encode() + b"]"
    items, used = peak(lambda: read(fmt, data, limits=Limits(max_line_chars=1_000_000)))
    assert [type(item) for item in items] == [Record, Problem]
    assert (items[1].line, items[1].field) == (2, "")
    assert items[1].message.startswith("the record takes more than 4,000,000 bytes")
    assert used < 10 * MB


def test_a_long_string_in_a_json_array_is_read_in_growing_pieces(monkeypatch):
    """yajl copies a string's start again at every read: 64 KiB reads made a 64 MB text cost
    its square (12 s). While a read holds no quote, reads grow, up to 1 MiB."""
    sizes: list[int] = []
    read_bytes = bounded.Metered.read

    def spy(self, size=-1):
        data = read_bytes(self, size)
        sizes.append(len(data))
        return data

    monkeypatch.setattr(bounded.Metered, "read", spy)
    data = b'[{"text": "' + b"w " * (8 * MB) + b'"}, [' + b"[" * 20 + b"]" * 21 + b"]"
    items = read("json", data)
    assert [type(item) for item in items] == [Record, Problem]
    assert len(sizes) < 40  # 16 MB: 245 reads of 64 KiB
    assert max(sizes) == bounded.MAX_READ
    assert sizes[-1] <= 64 * 1024  # structure again: ijson's own read size
