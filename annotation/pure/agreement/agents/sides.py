"""The two sides of a pair: the reference (gold or an annotator) and the agent, as tables."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotation.pure.agreement.inputs import Corpus
from annotation.pure.agreement.relations import RelationTable
from annotation.pure.agreement.spans import (
    SpanTable,
)

GOLD = "gold"
TASK_BLOCKS = {"ner": "entities", "relations": "relations", "sentiment": "sentiment"}


@dataclass(frozen=True)
class AgentLabellings:
    """One agent's labels per document id. ``tasks``: the tasks it proposes labels for
    (None: every task of the project); it is measured on those the project runs only."""

    documents: Mapping[Any, Mapping[str, Any] | None]
    version: Any = None
    kind: str | None = None
    tasks: Collection[str] | None = None
    notes: Sequence[str] = ()


@dataclass
class Side:
    """One labeller (gold, an annotator or an agent) over the corpus documents, coder 0."""

    submitted: np.ndarray  # (D,) bool
    sentiment: np.ndarray  # (D,) int, -1 missing
    spans: SpanTable
    relations: RelationTable


@dataclass
class Vocab:
    entities: list[str]
    relations: list[str]
    sentiment: list[str]
    sets: list[frozenset[int]]
    set_index: dict[frozenset[int], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.set_index = {s: i for i, s in enumerate(self.sets)}

    @staticmethod
    def code(names: list[str], name: Any) -> int:
        key = str(name)
        if key not in names:
            names.append(key)
        return names.index(key)

    def sentiment_code(self, raw: Any, multi: bool) -> int:
        if raw is None or raw == []:
            return -1
        if not multi:
            return self.code(self.sentiment, raw[0] if isinstance(raw, list) else raw)
        members = frozenset(self.code(self.sentiment, n)
                            for n in (raw if isinstance(raw, list) else [raw]))
        if members not in self.set_index:
            self.set_index[members] = len(self.sets)
            self.sets.append(members)
        return self.set_index[members]


def ints(values: list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(len(values))


def side_of(labellings: Mapping[Any, Mapping[str, Any] | None], position: Mapping[Any, int],
          vocab: Vocab, multi: bool) -> Side:
    n_docs = len(position)
    submitted = np.zeros(n_docs, dtype=bool)
    sentiment = np.full(n_docs, -1, dtype=np.int64)
    e: list[list[int]] = [[], [], [], []]  # doc, start, end, label
    r: list[list[int]] = [[] for _ in range(8)]  # doc, hs, he, hl, ts, te, tl, label
    for doc_id, content in labellings.items():
        d = position.get(doc_id)
        if d is None or content is None:
            continue
        submitted[d] = True
        sentiment[d] = vocab.sentiment_code(content.get("sentiment"), multi)
        ids: dict[str, tuple[int, int, int]] = {}
        for i, ent in enumerate(content.get("entities") or ()):
            if isinstance(ent, Mapping):
                key = str(ent.get("id", f"T{i + 1}"))
                start, end, name = ent["start"], ent["end"], ent["label"]
            else:
                key, (start, end, name) = f"T{i + 1}", ent
            triple = (int(start), int(end), vocab.code(vocab.entities, name))
            ids[key] = triple
            for column, v in zip(e, (d, *triple), strict=True):
                column.append(v)
        for rel in content.get("relations") or ():
            head, tail = (endpoint(rel.get(k), ids, vocab) for k in ("head", "tail"))
            if head is None or tail is None:
                continue
            row = (d, *head, *tail, vocab.code(vocab.relations, rel.get("label")))
            for column, v in zip(r, row, strict=True):
                column.append(v)
    zeros = ints([0] * len(e[0]))
    spans = SpanTable(ints(e[0]), zeros, ints(e[1]), ints(e[2]), ints(e[3]))
    relations = RelationTable(ints(r[0]), ints([0] * len(r[0])),
                              *(ints(column) for column in r[1:]))
    return Side(submitted, sentiment, spans, relations)


def endpoint(raw: Any, ids: Mapping[str, tuple[int, int, int]], vocab: Vocab
              ) -> tuple[int, int, int] | None:
    if isinstance(raw, Mapping):
        raw = (raw.get("start"), raw.get("end"), raw.get("label"))
    if isinstance(raw, list | tuple) and len(raw) == 3 and None not in raw:
        return int(raw[0]), int(raw[1]), vocab.code(vocab.entities, raw[2])
    return ids.get(str(raw))


def human_side(corpus: Corpus, c: int) -> Side:
    sp, rel = corpus.spans, corpus.relations
    es, rs = sp.coder == c, rel.coder == c
    spans = SpanTable(sp.doc[es], np.zeros(int(es.sum()), np.int64), sp.start[es], sp.end[es],
                      sp.label[es])
    relations = RelationTable(rel.doc[rs], np.zeros(int(rs.sum()), np.int64),
                              rel.head_start[rs], rel.head_end[rs], rel.head_label[rs],
                              rel.tail_start[rs], rel.tail_end[rs], rel.tail_label[rs],
                              rel.label[rs])
    return Side(corpus.submitted[c].copy(), corpus.sentiment[c].copy(), spans, relations)


def join_spans(a: SpanTable, b: SpanTable) -> SpanTable:
    return SpanTable(np.concatenate([a.doc, b.doc]),
                     np.concatenate([np.zeros(len(a), np.int64), np.ones(len(b), np.int64)]),
                     np.concatenate([a.start, b.start]), np.concatenate([a.end, b.end]),
                     np.concatenate([a.label, b.label]))


def join_relations(a: RelationTable, b: RelationTable) -> RelationTable:
    coder = np.concatenate([np.zeros(len(a), np.int64), np.ones(len(b), np.int64)])
    columns = ("doc", "head_start", "head_end", "head_label", "tail_start", "tail_end",
               "tail_label", "label")
    joined = {k: np.concatenate([getattr(a, k), getattr(b, k)]) for k in columns}
    return RelationTable(coder=coder, **joined)
