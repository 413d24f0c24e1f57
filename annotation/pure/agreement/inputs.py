"""Plain data in, arrays out: the one pass over documents before any statistic.

A document is a mapping::

    {"id": 17,                        # any JSON value; echoed in per_document
     "text": "...",                   # optional; needed for token-level (BIO) agreement
     "annotations": {                 # annotator name -> content, or None / absent when the
         "alice": {                   #   annotator did not submit this document
             "sentiment": "positive",         # a label name, a list of names, or None
             "entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"}],
             "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}]},
         "bob": None}}

Entities may also be (start, end, label) triples; an entity without an id gets "T1", "T2",
... by position, as in content validation. Offsets are code points, end exclusive. An
annotator who submitted a document with no sentiment has no sentiment rating for it (missing),
while no entities means zero entities (they do count for span agreement).
"""

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from annotation.pure.agreement.relations import RelationTable
from annotation.pure.agreement.spans import SpanTable
from annotation.pure.segment import CHARACTERS

TASKS = ("ner", "relations", "sentiment")


@dataclass(frozen=True)
class LabelMeta:
    """The project's labels and tasks. ``sentiment`` is in scale order; ``sentiment_values``
    gives a number per sentiment label (interval alpha needs every label to have one).
    ``tasks`` are the tasks the project runs: a report has a section for each of them only."""

    sentiment: Sequence[str] = ()
    sentiment_values: Mapping[str, float] | None = None
    scale: Literal["nominal", "ordinal"] = "nominal"
    multi_label: bool = False
    entities: Sequence[str] = ()
    relations: Sequence[str] = ()
    tasks: Collection[str] = TASKS


@dataclass
class Corpus:
    doc_ids: list[Any]
    annotators: list[str]
    submitted: np.ndarray  # (A, D) bool
    sentiment: np.ndarray  # (A, D) int: label index, or distinct-set index if multi-label; -1
    sentiment_labels: list[str]
    sentiment_sets: list[frozenset[int]]  # multi-label: the set behind each code
    entity_labels: list[str]
    relation_labels: list[str]
    spans: SpanTable
    relations: RelationTable
    texts: list[str] | None
    notes: list[str] = field(default_factory=list)
    segmentation: str = CHARACTERS  # the tokens of token-level agreement (pure/segment.py)


class _Vocabulary:
    def __init__(self, names: Sequence[str], kind: str) -> None:
        self.names = [str(n) for n in names]
        self.index = {n: i for i, n in enumerate(self.names)}
        self.kind = kind
        self.unknown: list[str] = []

    def codes(self, raw: list[Any]) -> np.ndarray:
        """Label indices of ``raw`` names (all at once; unknown names are appended)."""
        for name in set(raw) - self.index.keys():
            key = str(name)
            if key not in self.index:
                self.index[key] = len(self.names)
                self.names.append(key)
                self.unknown.append(key)
            self.index[name] = self.index[key]
        return np.fromiter(map(self.index.__getitem__, raw), dtype=np.int64, count=len(raw))

    def note(self) -> str | None:
        if not self.unknown:
            return None
        return (f"{self.kind} labels not in the project's label list were found and kept "
                f"(after the known ones): {', '.join(self.unknown)}")


def _annotators(documents: Sequence[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for doc in documents:
        for name, content in (doc.get("annotations") or {}).items():
            if content is not None:
                seen[str(name)] = None
    return sorted(seen)


class _Collector:
    """Flat Python lists filled in one pass; turned into arrays once at the end."""

    def __init__(self) -> None:
        self.s_coder: list[int] = []
        self.s_doc: list[int] = []
        self.s_raw: list[Any] = []
        self.e_doc: list[int] = []
        self.e_coder: list[int] = []
        self.e_start: list[int] = []
        self.e_end: list[int] = []
        self.e_label: list[Any] = []
        self.r_doc: list[int] = []
        self.r_coder: list[int] = []
        self.r_head: list[int] = []  # row in the entity lists
        self.r_tail: list[int] = []
        self.r_label: list[Any] = []

    def entities(self, d: int, c: int, raw: Sequence[Any]) -> int:
        k = len(raw)
        if not k:
            return 0
        self.e_doc += [d] * k
        self.e_coder += [c] * k
        if isinstance(raw[0], Mapping):
            self.e_start += [e["start"] for e in raw]
            self.e_end += [e["end"] for e in raw]
            self.e_label += [e["label"] for e in raw]
        else:
            self.e_start += [e[0] for e in raw]
            self.e_end += [e[1] for e in raw]
            self.e_label += [e[2] for e in raw]
        return k

    def relations(self, d: int, c: int, entities: Sequence[Any], first: int,
                  raw: Sequence[Mapping[str, Any]]) -> None:
        rows = {str(e.get("id", f"T{i + 1}")) if isinstance(e, Mapping) else f"T{i + 1}":
                first + i for i, e in enumerate(entities)}
        for rel in raw:
            head, tail = rows.get(str(rel.get("head"))), rows.get(str(rel.get("tail")))
            if head is not None and tail is not None:
                self.r_doc.append(d)
                self.r_coder.append(c)
                self.r_head.append(head)
                self.r_tail.append(tail)
                self.r_label.append(rel.get("label"))


def _ints(values: list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(len(values))


def parse(documents: Sequence[Mapping[str, Any]], labels: LabelMeta,
          annotators: Sequence[str] | None = None) -> Corpus:
    names = list(annotators) if annotators is not None else _annotators(documents)
    who: dict[Any, int] = {n: i for i, n in enumerate(names)}
    n_docs, n_coders = len(documents), len(names)
    submitted = np.zeros((n_coders, n_docs), dtype=bool)
    texts: list[str] | None = [] if all("text" in d for d in documents) else None
    col = _Collector()
    for d, doc in enumerate(documents):
        if texts is not None:
            texts.append(str(doc["text"]))
        for name, content in (doc.get("annotations") or {}).items():
            c = who.get(name)
            if c is None:
                c = who.get(str(name))
            if content is None or c is None:
                continue
            submitted[c, d] = True
            raw = content.get("sentiment")
            if raw is not None and raw != []:
                col.s_coder.append(c)
                col.s_doc.append(d)
                col.s_raw.append(raw)
            entities = content.get("entities") or ()
            first = len(col.e_doc)
            col.entities(d, c, entities)
            relations = content.get("relations")
            if relations:
                col.relations(d, c, entities, first, relations)
    senti, ents, rels = (_Vocabulary(labels.sentiment, "sentiment"),
                         _Vocabulary(labels.entities, "entity"),
                         _Vocabulary(labels.relations, "relation"))
    sentiment = np.full((n_coders, n_docs), -1, dtype=np.int64)
    sets: dict[frozenset[int], int] = {}
    if labels.multi_label:
        lists = [r if isinstance(r, list) else [r] for r in col.s_raw]
        flat = senti.codes([x for r in lists for x in r]).tolist()
        bounds = np.cumsum([0, *map(len, lists)]).tolist()
        chosen = [sets.setdefault(frozenset(flat[a:b]), len(sets))
                  for a, b in itertools.pairwise(bounds)]
        sentiment[col.s_coder, col.s_doc] = chosen
    else:
        firsts = [r[0] if isinstance(r, list) else r for r in col.s_raw]
        sentiment[col.s_coder, col.s_doc] = senti.codes(firsts)
    spans = SpanTable(_ints(col.e_doc), _ints(col.e_coder), _ints(col.e_start),
                      _ints(col.e_end), ents.codes(col.e_label))
    head, tail = _ints(col.r_head), _ints(col.r_tail)
    relations = RelationTable(
        _ints(col.r_doc), _ints(col.r_coder), spans.start[head], spans.end[head],
        spans.label[head], spans.start[tail], spans.end[tail], spans.label[tail],
        rels.codes(col.r_label))
    notes = [n for n in (senti.note(), ents.note(), rels.note()) if n]
    return Corpus(
        doc_ids=[doc.get("id", i) for i, doc in enumerate(documents)], annotators=names,
        submitted=submitted, sentiment=sentiment, sentiment_labels=senti.names,
        sentiment_sets=sorted(sets, key=sets.__getitem__),
        entity_labels=ents.names, relation_labels=rels.names,
        spans=spans, relations=relations, texts=texts, notes=notes)
