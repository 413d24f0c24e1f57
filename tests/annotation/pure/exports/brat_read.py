"""A ``brat`` export read back as a user reads one: the zip unpacked to a folder and read by
pybrat (a brat standoff reader from PyPI), each ``.ann`` also read by a strict parser of the
standoff spec (https://brat.nlplab.org/standoff.html) that takes T and R lines and rejects
any other, and the document labels taken from ``document_labels.jsonl``.

pybrat reads T, R, E, N and ``*`` lines and skips A lines, as a NER pipeline does: whatever
T lines an ``.ann`` has, it learns as entities."""

import io
import itertools
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pybrat.parser import BratParser

DOCUMENT_LABELS = "document_labels.jsonl"
Span = tuple[str, int, int]  # label, start, end: code points, end exclusive
Relation = tuple[str, Span, Span]  # label, head (Arg1), tail (Arg2)
_ENTITY = re.compile(r"T([1-9]\d*)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)")
_RELATION = re.compile(r"R([1-9]\d*)\t(\S+) Arg1:(T[1-9]\d*) Arg2:(T[1-9]\d*)")


@dataclass
class Document:
    text: str  # the .txt as UTF-8, byte for byte (no newline translation)
    entities: list[Span]
    relations: list[Relation]


@dataclass
class Archive:
    names: list[str]  # the zip's entries in order
    conf: str
    documents: dict[str, Document]  # by path without extension, as pybrat names them
    labels: list[dict[str, Any]] | None  # document_labels.jsonl's lines; None: no such entry


def _fragments(text: str, offsets: str, mention: str) -> list[tuple[int, int]]:
    """A T line's fragments, checked: in order, inside the text, apart only by line breaks,
    and the mention is their texts joined by a space."""
    pieces = [(int(s), int(e)) for s, e in (p.split(" ") for p in offsets.split(";"))]
    assert all(0 <= s < e <= len(text) for s, e in pieces), (offsets, len(text))
    for (_, end), (start, _) in itertools.pairwise(pieces):
        assert end < start, offsets
        assert not "".join(text[end:start].splitlines()), (offsets, text[end:start])
    assert mention == " ".join(text[s:e] for s, e in pieces), (offsets, mention)
    return pieces


def strict_ann(ann: str, text: str) -> tuple[list[Span], list[Relation]]:
    """The entities and relations of an ``.ann``: T1..Tn, then R1..Rm, nothing else."""
    assert ann == "" or ann.endswith("\n")
    entities: dict[str, Span] = {}
    relations: list[Relation] = []
    for line in ann[:-1].split("\n") if ann else []:
        if match := _ENTITY.fullmatch(line):
            number, label, offsets, mention = match.groups()
            assert not relations, f"an entity after the relations: {line!r}"
            assert int(number) == len(entities) + 1, line
            pieces = _fragments(text, offsets, mention)
            entities[f"T{number}"] = (label, pieces[0][0], pieces[-1][1])
        elif match := _RELATION.fullmatch(line):
            number, label, head, tail = match.groups()
            assert int(number) == len(relations) + 1, line
            relations.append((label, entities[head], entities[tail]))
        else:
            raise AssertionError(f"not an entity or a relation line: {line!r}")
    return list(entities.values()), relations


def read(data: bytes, folder: Path) -> Archive:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        archive.extractall(folder)
    documents = {}
    for example in BratParser(error="raise").parse(folder):
        assert example.id is not None
        # pybrat reads the .txt with newline translation: read it as bytes, as the docs say
        text = (folder / f"{example.id}.txt").read_bytes().decode("utf-8")
        entities: list[Span] = []
        for entity in example.entities:
            pieces = _fragments(text, ";".join(f"{s.start} {s.end}" for s in entity.spans),
                                entity.mention)
            entities.append((entity.type, pieces[0][0], pieces[-1][1]))
        span_of = {entity.id: span for entity, span in zip(example.entities, entities,
                                                            strict=True)}
        relations = [(r.type, span_of[r.arg1.id], span_of[r.arg2.id])
                     for r in example.relations]
        assert not example.events
        ann = (folder / f"{example.id}.ann").read_bytes().decode("utf-8")
        assert strict_ann(ann, text) == (entities, relations)
        documents[example.id] = Document(text, entities, relations)
    labels = None
    if DOCUMENT_LABELS in names:
        content = (folder / DOCUMENT_LABELS).read_bytes().decode("utf-8")
        assert content == "" or content.endswith("\n")
        labels = [json.loads(line) for line in content.split("\n")[:-1]]
    return Archive(names, (folder / "annotation.conf").read_text("utf-8"), documents, labels)


def gold(labelling: dict[str, Any]) -> tuple[list[Span], list[Relation]]:
    """What a labelling's ``.ann`` must give: its entities and relations, exactly."""
    span_of = {e["id"]: (e["label"], e["start"], e["end"])
               for e in labelling.get("entities") or ()}
    return (list(span_of.values()),
            [(r["label"], span_of[r["head"]], span_of[r["tail"]])
             for r in labelling.get("relations") or ()])


def parse_conf(conf: str) -> dict[str, list[str]]:
    """annotation.conf's sections (comments and blank lines left out)."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in conf.split("\n"):
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = []
        elif line and not line.startswith("#"):
            sections[current].append(line)
    return sections
