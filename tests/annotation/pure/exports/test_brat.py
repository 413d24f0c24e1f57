"""The ``brat`` export parsed with a small reader following the brat standoff spec
(https://brat.nlplab.org/standoff.html): offsets are checked against the ``.txt``."""

import re

from annotation.pure.exports.brat import file_name
from tests.annotation.pure.exports.samples import LABELS, RECORDS, export, labellings, unzip


def parse_ann(ann: str, text: str) -> dict:
    """T, R and A lines; every T's fragments are checked against ``text``."""
    entities, relations, attributes = {}, [], []
    for line in ann.split("\n"):
        if not line:
            continue
        key, rest = line.split("\t", 1)
        if key.startswith("T"):
            type_offsets, covered = rest.split("\t", 1)
            kind, offsets = type_offsets.split(" ", 1)
            pieces = [tuple(map(int, p.split(" "))) for p in offsets.split(";")]
            assert covered == " ".join(text[s:e] for s, e in pieces), line
            entities[key] = (kind, pieces)
        elif key.startswith("R"):
            match = re.fullmatch(r"(\S+) Arg1:(T\d+) Arg2:(T\d+)", rest)
            assert match, line
            relations.append(match.groups())
        elif key.startswith("A"):
            attributes.append(tuple(rest.split(" ")))
        else:
            raise AssertionError(f"unexpected line {line!r}")
    return {"entities": entities, "relations": relations, "attributes": attributes}


def parse_conf(conf: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in conf.split("\n"):
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = []
        elif line and not line.startswith("#"):
            sections[current].append(line)
    return sections


def test_conf_lists_the_types() -> None:
    conf = parse_conf(unzip(export("brat")[0])["annotation.conf"].decode())
    assert conf["entities"] == [*LABELS.entities, "Document"]
    assert conf["relations"] == [
        "works_for\tArg1:<ENTITY>, Arg2:<ENTITY>",
        "near\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>"]
    assert conf["attributes"] == ["Sentiment\tArg:Document, Value:negative|neutral|positive"]


def test_ann_files_parse_and_match_the_txt() -> None:
    for scope in ("gold", "all"):
        data, run = export("brat", scope)
        files = unzip(data)
        assert next(iter(files)) == "annotation.conf"
        expected = [(r, who, lab) for r in RECORDS for who, lab in labellings(r, scope)]
        assert run.annotations == len(expected) == (len(files) - 1) // 2
        for record, annotator, labelling in expected:
            folder = ("" if scope == "gold" else "gold/" if annotator is None
                      else f"annotators/{annotator}/")
            base = folder + file_name(record["id"])
            text = files[base + ".txt"].decode("utf-8")
            assert text == record["text"]  # byte for byte: \r\n kept, so offsets hold
            ann = parse_ann(files[base + ".ann"].decode("utf-8"), text)
            spans = {key: (kind, pieces[0][0], pieces[-1][1])
                     for key, (kind, pieces) in ann["entities"].items()}
            document = [key for key, (kind, *_) in spans.items() if kind == "Document"]
            assert [v for k, v in spans.items() if k not in document] == [
                (e["label"], e["start"], e["end"]) for e in labelling["entities"]]
            ids = {e["id"]: f"T{i}" for i, e in enumerate(labelling["entities"], 1)}
            assert ann["relations"] == [(r["label"], ids[r["head"]], ids[r["tail"]])
                                        for r in labelling["relations"]]
            if labelling["sentiment"] is None:
                assert not document
                assert not ann["attributes"]
            else:
                assert spans[document[0]] == ("Document", 0, len(text))
                assert ann["attributes"] == [("Sentiment", document[0],
                                              labelling["sentiment"])]


def test_spans_across_line_breaks_become_fragments() -> None:
    files = unzip(export("brat", records=[RECORDS[1]])[0])
    ann = files[file_name(RECORDS[1]["id"]) + ".ann"].decode()
    text = RECORDS[1]["text"]
    new_york = text.index("New")
    assert f"T6\tLOC {new_york} {new_york + 3};{new_york + 4} {new_york + 8}\tNew York\n" in ann
    assert file_name("doc/2 ü") == "doc%2F2%20%C3%BC"
    assert file_name("..x") == "%2E.x"
