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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from annotation.pure.agreement.relations import RelationTable
from annotation.pure.agreement.spans import SpanTable


@dataclass(frozen=True)
class LabelMeta:
    """The project's labels. ``sentiment`` is in scale order; ``sentiment_values`` gives a
    number per sentiment label (interval alpha needs every label to have one)."""

    sentiment: Sequence[str] = ()
    sentiment_values: Mapping[str, float] | None = None
    scale: Literal["nominal", "ordinal"] = "nominal"
    multi_label: bool = False
    entities: Sequence[str] = ()
    relations: Sequence[str] = ()


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


class _Vocabulary:
    def __init__(self, names: Sequence[str], kind: str) -> None:
        self.names = list(names)
        self.index = {n: i for i, n in enumerate(self.names)}
        self.kind = kind
        self.unknown: list[str] = []

    def __call__(self, name: Any) -> int:
        i = self.index.get(name)
        if i is None:
            key = str(name)
            i = self.index.get(key)
            if i is None:
                i = self.index[key] = len(self.names)
                self.names.append(key)
                self.unknown.append(key)
            self.index[name] = i
        return i

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


def parse(documents: Sequence[Mapping[str, Any]], labels: LabelMeta,
          annotators: Sequence[str] | None = None) -> Corpus:
    names = list(annotators) if annotators is not None else _annotators(documents)
    who = {n: i for i, n in enumerate(names)}
    n_docs, n_coders = len(documents), len(names)
    submitted = np.zeros((n_coders, n_docs), dtype=bool)
    sentiment = np.full((n_coders, n_docs), -1, dtype=np.int64)
    senti, ents, rels = (_Vocabulary(labels.sentiment, "sentiment"),
                         _Vocabulary(labels.entities, "entity"),
                         _Vocabulary(labels.relations, "relation"))
    sets: dict[frozenset[int], int] = {}
    e_cols: list[list[int]] = [[], [], [], [], []]  # doc, coder, start, end, label
    r_rows: list[tuple[int, ...]] = []
    texts: list[str] | None = [] if all("text" in d for d in documents) else None
    for d, doc in enumerate(documents):
        if texts is not None:
            texts.append(str(doc["text"]))
        for name, content in (doc.get("annotations") or {}).items():
            c = who.get(str(name))
            if content is None or c is None:
                continue
            submitted[c, d] = True
            raw = content.get("sentiment")
            if raw is not None and raw != []:
                if labels.multi_label:
                    chosen = frozenset(senti(x) for x in (raw if isinstance(raw, list) else [raw]))
                    sentiment[c, d] = sets.setdefault(chosen, len(sets))
                else:
                    sentiment[c, d] = senti(raw[0] if isinstance(raw, list) else raw)
            spans = _entities(content.get("entities") or (), ents)
            if spans:
                k = len(spans)
                e_cols[0].extend([d] * k)
                e_cols[1].extend([c] * k)
                for col, values in zip(e_cols[2:], zip(*spans.values(), strict=True),
                                       strict=True):
                    col.extend(values)
            for rel in content.get("relations") or ():
                head, tail = spans.get(str(rel.get("head"))), spans.get(str(rel.get("tail")))
                if head is not None and tail is not None:
                    r_rows.append((d, c, *head, *tail, rels(rel.get("label"))))
    e = [np.asarray(col, dtype=np.int64) for col in e_cols]
    r = (np.asarray(r_rows, dtype=np.int64).reshape(len(r_rows), 9).T if r_rows
         else np.zeros((9, 0), dtype=np.int64))
    notes = [n for n in (senti.note(), ents.note(), rels.note()) if n]
    return Corpus(
        doc_ids=[doc.get("id", i) for i, doc in enumerate(documents)], annotators=names,
        submitted=submitted, sentiment=sentiment, sentiment_labels=senti.names,
        sentiment_sets=sorted(sets, key=sets.__getitem__),
        entity_labels=ents.names, relation_labels=rels.names,
        spans=SpanTable(*e), relations=RelationTable(*r), texts=texts, notes=notes)


def _entities(raw: Any, vocab: _Vocabulary) -> dict[str, tuple[int, int, int]]:
    """Entity id -> (start, end, label index), in input order."""
    out: dict[str, tuple[int, int, int]] = {}
    for i, ent in enumerate(raw):
        if isinstance(ent, Mapping):
            key = str(ent.get("id", f"T{i + 1}"))
            out[key] = (int(ent["start"]), int(ent["end"]), vocab(ent["label"]))
        else:
            start, end, label = ent
            out[f"T{i + 1}"] = (int(start), int(end), vocab(label))
    return out
