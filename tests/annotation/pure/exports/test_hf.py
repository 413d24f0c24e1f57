"""The ``hf`` export loaded by Hugging Face ``datasets`` with its shipped features."""

import json
from pathlib import Path

import pytest
from datasets import ClassLabel, DatasetInfo, Features, Sequence, load_dataset

from annotation.pure.exports import ExportLabels
from annotation.pure.tokens import tokenize
from tests.annotation.pure.exports.samples import (
    LABELS,
    RECORDS,
    aligned,
    export,
    labellings,
    unzip,
)


def load(data: bytes, tmp_path: Path):  # type: ignore[no-untyped-def]
    files = unzip(data)
    assert list(files) == ["dataset_info.json", "data.jsonl"]
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    info = json.loads(files["dataset_info.json"])
    features = Features.from_dict(info["features"])
    ds = load_dataset("json", data_files=str(tmp_path / "data.jsonl"), features=features,
                      split="train", cache_dir=str(tmp_path / "cache"))
    return ds, info


def spans(tags: list[str]) -> list[tuple[int, int, str]]:
    found, start = [], None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and not tag.startswith("I-"):
            found.append((start, i, tags[start][2:]))
            start = None
        if tag.startswith("B-"):
            start = i
    return found


@pytest.mark.parametrize("scope", ["gold", "all"])
def test_load_dataset_reads_the_export_with_class_labels(scope: str, tmp_path: Path) -> None:
    data, run = export("hf", scope)
    ds, info = load(data, tmp_path)
    assert ds.features["ner_tags"].feature.names == ["O", "B-PER", "I-PER", "B-ORG", "I-ORG",
                                                     "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
    assert ds.features["sentiment"] == ClassLabel(names=list(LABELS.sentiments))
    relation_label = ds.features["relations"].feature["label"]
    assert relation_label.names == ["works_for", "near"]
    assert info["concord"]["relation_directed"] == {"works_for": True, "near": False}
    assert DatasetInfo.from_directory(str(tmp_path)).features == ds.features

    expected = [(r, who, lab) for r in RECORDS for who, lab in labellings(r, scope)]
    assert ds.num_rows == len(expected) == run.annotations
    tag_names = ds.features["ner_tags"].feature
    for row, (record, annotator, labelling) in zip(ds, expected, strict=True):
        text = record["text"]
        tokens = tokenize(text)
        assert row["id"] == record["id"]
        assert row["annotator"] == annotator
        assert row["tokens"] == [text[s:e] for s, e in tokens]
        got = [(tokens[a][0], tokens[b - 1][1], label)
               for a, b, label in spans(tag_names.int2str(row["ner_tags"]))]
        want = [(e["start"], e["end"], e["label"]) for e in aligned(record, labelling)]
        assert got == want
        sentiment = labelling["sentiment"]
        assert row["sentiment"] == (-1 if sentiment is None
                                    else LABELS.sentiments.index(sentiment))
        by_id = {e["id"]: e for e in labelling["entities"]}
        assert [(tokens[r["head"][0]][0], tokens[r["tail"][1] - 1][1],
                 relation_label.int2str(r["label"])) for r in row["relations"]] == [
            (by_id[r["head"]]["start"], by_id[r["tail"]]["end"], r["label"])
            for r in labelling["relations"]]


def test_cast_column_from_the_shipped_names(tmp_path: Path) -> None:
    files = unzip(export("hf")[0])
    (tmp_path / "data.jsonl").write_bytes(files["data.jsonl"])
    names = json.loads(files["dataset_info.json"])["features"]["ner_tags"]["feature"]["names"]
    ds = load_dataset("json", data_files=str(tmp_path / "data.jsonl"), split="train",
                      cache_dir=str(tmp_path / "cache"))
    ds = ds.cast_column("ner_tags", Sequence(ClassLabel(names=names)))
    assert ds.features["ner_tags"].feature.int2str(ds[0]["ner_tags"]) == [
        "B-PER", "O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O", "O"]


def test_multi_label_sentiment(tmp_path: Path) -> None:
    labels = ExportLabels(entities=("PER",), sentiments=("joy", "anger", "fear"),
                          multi_label=True)
    records = [{"id": "a", "text": "Hi Bo", "gold": {
        "entities": [{"id": "T1", "start": 3, "end": 5, "label": "PER"}],
        "sentiment": ["joy", "fear"]}}]
    ds, _ = load(export("hf", records=records, labels=labels)[0], tmp_path)
    assert ds.features["sentiment"].feature.int2str(ds[0]["sentiment"]) == ["joy", "fear"]
    assert ds[0]["ner_tags"] == [0, 1]
