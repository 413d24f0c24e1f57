"""``jsonl`` and ``csv``, determinism of every format, and the Export interface."""

import csv
import hashlib
import io
import json
import zipfile

import pytest

from annotation.pure.exports import FORMATS, Export, ExportLabels, RelationLabel, chunks
from tests.annotation.pure.exports.samples import LABELS, RECORDS, TEXT2, export


def test_jsonl_is_the_native_record_with_relations_and_entity_texts() -> None:
    data, run = export("jsonl", "all")
    lines = data.decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == RECORDS
    assert "阿里巴巴" in lines[0]
    assert "\u200d" in lines[1]
    assert "Zürich\\u2028ok" in lines[2]  # escaped: splitlines() would cut there
    assert (run.documents, run.annotations) == (4, 3 + 4)  # gold, annotators
    gold, _ = export("jsonl", "gold")
    records = [json.loads(line) for line in gold.decode().splitlines()]
    assert [r["id"] for r in records] == ["doc-17", "doc/2 ü", "doc-3"]
    assert all("annotations" not in r for r in records)
    assert records[1]["gold"]["relations"] == RECORDS[1]["gold"]["relations"]
    for entity in records[1]["gold"]["entities"]:
        assert TEXT2[entity["start"]:entity["end"]] == entity["text"]


def test_jsonl_adds_missing_entity_texts() -> None:
    record = {"id": 1, "text": "Hi שלום", "gold": {"entities": [
        {"id": "T1", "start": 3, "end": 7, "label": "PER"}]}}
    data, run = export("jsonl", records=[record])
    assert json.loads(data)["gold"]["entities"][0]["text"] == "שלום"
    assert run.warnings == []


def test_csv_with_a_json_meta_column() -> None:
    data, _ = export("csv", "all")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == ["id", "annotator", "text", "sentiment", "meta"]
    assert rows[1] == ["doc-17", "", RECORDS[0]["text"], "positive",
                       '{"lang":"mixed","source":"news"}']
    doc2 = [row for row in rows if row[0] == "doc/2 ü"]
    assert [row[1] for row in doc2] == ["", "bob", "alice"]
    assert all(row[2] == TEXT2 for row in doc2)  # \r\n inside a quoted field survives
    assert rows[-1] == ["doc-4", "bob", "No gold yet.", "neutral", "{}"]


def test_csv_with_meta_columns_and_multi_label() -> None:
    labels = ExportLabels(sentiments=("joy", "fear"), multi_label=True,
                          meta_columns=("source", "n", "missing"))
    data, _ = export("csv", "gold", labels=labels, records=[
        {"id": 5, "text": 'say "hi", ok', "meta": {"source": "web", "n": 2},
         "gold": {"sentiment": ["fear", "joy"]}}])
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert rows == [["id", "text", "sentiment", "source", "n", "missing", "meta"],
                    ["5", 'say "hi", ok', '["fear","joy"]', "web", "2", "", ""]]


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("scope", ["gold", "all"])
def test_same_records_same_bytes(fmt: str, scope: str) -> None:
    first = hashlib.sha256(export(fmt, scope)[0]).hexdigest()
    again = hashlib.sha256(b"".join(chunks(fmt, iter(json.loads(json.dumps(RECORDS))),
                                           LABELS, scope=scope))).hexdigest()
    assert first == again
    data = export(fmt, scope)[0]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None
            assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_chunks_stream_and_counts() -> None:
    seen = []

    def records():  # type: ignore[no-untyped-def]
        for record in RECORDS:
            seen.append(record["id"])
            yield record

    run = Export("jsonl", LABELS, "all")
    stream = run.chunks(records())
    assert seen == []  # nothing read before the first chunk is asked for
    assert b"".join(stream)
    assert seen == [r["id"] for r in RECORDS]
    with pytest.raises(RuntimeError):
        next(run.chunks([]))
    with pytest.raises(ValueError, match="unknown export format"):
        Export("xml", LABELS)
    with pytest.raises(ValueError, match="unknown scope"):
        Export("csv", LABELS, "some")
    assert Export("hf", LABELS).dataset_info()["features"]["sentiment"]["names"] == list(
        LABELS.sentiments)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_annotators_and_manifest_extras(fmt: str) -> None:
    _, run = export(fmt, "all")
    assert run.annotators == {"alice", "bob"}
    assert run.documents == 4
    assert run.extension == {"hf": "zip", "brat": "zip"}.get(fmt, fmt)
    assert set(run.extra_manifest()) == ({"dataset_info"} if fmt == "hf" else set())


def test_labels_accept_lists_and_names() -> None:
    labels = ExportLabels(entities=["PER"], relations=["r", RelationLabel("s", False)],
                          sentiments=["a", "b"], meta_columns=["k"])
    assert labels.relations == (RelationLabel("r"), RelationLabel("s", directed=False))
    assert labels.as_dict() == {
        "entities": ["PER"], "relations": [{"name": "r", "directed": True},
                                           {"name": "s", "directed": False}],
        "sentiments": ["a", "b"], "multi_label": False, "scale": "nominal",
        "meta_columns": ["k"]}
    assert json.loads(json.dumps(labels.as_dict())) == labels.as_dict()
    with pytest.raises(ValueError, match="duplicate"):
        ExportLabels(entities=("A", "A"))
