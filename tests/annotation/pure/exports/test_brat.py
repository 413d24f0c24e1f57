"""The ``brat`` export read back by pybrat and a strict standoff parser (``brat_read``): an
``.ann`` gives exactly the labelling's entities and relations, with code point offsets that
match the ``.txt``; the document labels are in ``document_labels.jsonl`` and nowhere else."""

from pathlib import Path
from typing import Any

import pytest

from annotation.pure.exports import ExportLabels, brat
from annotation.pure.exports.brat import file_name
from tests.annotation.pure.exports import samples
from tests.annotation.pure.exports.brat_read import DOCUMENT_LABELS, gold, parse_conf, read
from tests.annotation.pure.exports.samples import LABELS, RECORDS, export, labellings, unzip

NO_SENTIMENT = ExportLabels(entities=LABELS.entities, relations=LABELS.relations)
MULTI = ExportLabels(entities=("PER", "ORG", "LOC"), relations=("works_for",),
                     sentiments=("joy", "fear", "anger"), multi_label=True)
MULTI_TEXT = "李雷 🙂 works at 腾讯\nin 深圳 👩\u200d💻"
MULTI_GOLD = {"entities": [{"id": "T1", "start": 0, "end": 2, "label": "PER", "text": "李雷"},
                           {"id": "T2", "start": 14, "end": 16, "label": "ORG", "text": "腾讯"},
                           {"id": "T3", "start": 20, "end": 22, "label": "LOC",
                            "text": "深圳"}],
              "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
              "sentiment": ["fear", "joy"]}
MULTI_RECORDS: list[dict[str, Any]] = [
    {"id": 7, "text": MULTI_TEXT, "gold": MULTI_GOLD,
     "annotations": [{"annotator": "ann", **MULTI_GOLD, "sentiment": ["anger"]},
                     {"annotator": "bob", "entities": [], "relations": [], "sentiment": []},
                     {"annotator": "cy", "entities": [], "relations": [], "sentiment": None}]},
    {"id": "no-gold", "text": "", "gold": None,
     "annotations": [{"annotator": "ann", "sentiment": ["joy"]}]},
]


def path(record: dict[str, Any], annotator: str | None, scope: str) -> str:
    folder = ("" if scope == "gold" else "gold/" if annotator is None
              else f"annotators/{annotator}/")
    return folder + file_name(record["id"])


def check(records: list[dict[str, Any]], labels: ExportLabels, scope: str,
          folder: Path) -> list[dict[str, Any]] | None:
    """Exports ``records``, reads the archive back and checks every ``.ann`` against its
    labelling; gives the document labels as read."""
    data, run = export("brat", scope, records=records, labels=labels)
    archive = read(data, folder)
    assert archive.names[0] == "annotation.conf"
    expected = [(r, who, lab) for r in records for who, lab in labellings(r, scope)]
    assert run.annotations == len(expected) == len(archive.documents)
    assert run.warnings == []
    for record, annotator, labelling in expected:
        document = archive.documents[path(record, annotator, scope)]
        assert document.text == record["text"]  # byte for byte: \r\n kept, so offsets hold
        assert (document.entities, document.relations) == gold(labelling)
        for entity in labelling.get("entities") or ():
            assert document.text[entity["start"]:entity["end"]] == entity["text"]
    if archive.labels is not None:
        assert archive.names[-1] == DOCUMENT_LABELS
        assert [line["file"] for line in archive.labels] == [
            path(r, who, scope) for r, who, _ in expected]
        assert [(line["id"], line["annotator"]) for line in archive.labels] == [
            (str(r["id"]), who) for r, who, _ in expected]
    return archive.labels


@pytest.mark.parametrize("scope", ["gold", "all"])
def test_ann_gives_exactly_the_entities_and_relations(scope: str, tmp_path: Path) -> None:
    labels = check(RECORDS, LABELS, scope, tmp_path)
    assert labels is not None
    assert [line["sentiment"] for line in labels] == [
        lab["sentiment"] for r in RECORDS for _, lab in labellings(r, scope)]
    assert None in [line["sentiment"] for line in labels]  # doc-3's gold has none


def test_offsets_are_code_points(tmp_path: Path) -> None:
    """阿里巴巴 starts at code point 13 (byte 13 too, but UTF-16 agrees only on the BMP); the
    ZWJ family is five code points (eight UTF-16 units, 18 bytes), the flag two."""
    archive = read(export("brat", "gold")[0], tmp_path)
    assert archive.documents["doc-17"].entities == [("PER", 0, 5), ("ORG", 13, 17)]
    assert samples.TEXT1[13:17] == "阿里巴巴"
    doc2 = archive.documents[file_name("doc/2 ü")]
    assert doc2.entities[:2] == [("MISC", 0, 5), ("LOC", 13, 15)]
    assert (samples.TEXT2[0:5], samples.TEXT2[13:15]) == ("👩\u200d👩\u200d👧", "🇯🇵")


@pytest.mark.parametrize("scope", ["gold", "all"])
def test_multi_label_document_labels(scope: str, tmp_path: Path) -> None:
    labels = check(MULTI_RECORDS, MULTI, scope, tmp_path)
    expected = ([["fear", "joy"]] if scope == "gold"
                else [["fear", "joy"], ["anger"], [], [], ["joy"]])
    assert labels is not None
    assert [line["sentiment"] for line in labels] == expected
    if scope == "all":
        assert labels[-1] == {"file": "annotators/ann/no-gold", "id": "no-gold",
                              "annotator": "ann", "sentiment": ["joy"]}


@pytest.mark.parametrize("scope", ["gold", "all"])
def test_without_sentiment_there_is_no_document_labels_file(scope: str,
                                                            tmp_path: Path) -> None:
    assert check(RECORDS, NO_SENTIMENT, scope, tmp_path) is None  # not even an empty one
    data, run = export("brat", scope, labels=NO_SENTIMENT)
    conf = parse_conf(read(data, tmp_path / "again").conf)
    assert conf["entities"] == list(LABELS.entities)
    assert conf["attributes"] == []
    assert run.warnings == []  # the records' sentiment is not the project's: not looked at


def test_conf_declares_entities_and_relations_only() -> None:
    conf_text = brat.annotation_conf(brat.Context(LABELS, "gold"))
    conf = parse_conf(conf_text)
    assert conf["entities"] == list(LABELS.entities)
    assert conf["relations"] == [
        "works_for\tArg1:<ENTITY>, Arg2:<ENTITY>",
        "near\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>"]
    assert conf["events"] == conf["attributes"] == []
    declarations = "\n".join(line for line in conf_text.split("\n")
                             if not line.startswith("#"))
    assert "Document" not in declarations
    assert "Sentiment" not in declarations
    assert conf_text.startswith(f"# Document labels (sentiment) are in {DOCUMENT_LABELS}")


def test_unknown_sentiment_labels_are_warned_about_and_left_out(tmp_path: Path) -> None:
    record = {"id": 1, "text": "Fine.", "gold": {"sentiment": "ecstatic"}}
    data, run = export("brat", records=[record])
    assert read(data, tmp_path).labels == [
        {"file": "1", "id": "1", "annotator": None, "sentiment": None}]
    assert [w["reason"] for w in run.warnings] == ["unknown sentiment label; it was skipped"]


def test_document_labels_spilled_to_disk_give_the_same_bytes(monkeypatch) -> None:
    in_memory = export("brat", "all")[0]
    monkeypatch.setattr(brat, "SPILL", 16)  # a few lines each on disk, read back 16 bytes a go
    assert export("brat", "all")[0] == in_memory


def test_spans_across_line_breaks_become_fragments() -> None:
    files = unzip(export("brat", records=[RECORDS[1]])[0])
    ann = files[file_name(RECORDS[1]["id"]) + ".ann"].decode()
    text = RECORDS[1]["text"]
    new_york = text.index("New")
    assert f"T6\tLOC {new_york} {new_york + 3};{new_york + 4} {new_york + 8}\tNew York\n" in ann
    assert file_name("doc/2 ü") == "doc%2F2%20%C3%BC"
    assert file_name("..x") == "%2E.x"
