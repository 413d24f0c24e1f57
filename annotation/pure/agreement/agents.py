"""Agents measured like annotators: each agent against gold and against each human.

Pure numpy, no Django. The human statistics are never touched: an agent is compared pair by
pair, with the same counting as a pair of annotators (entities.py, sentiment.py), and the
result is a separate ``agents`` part of the report::

    {"crf": {"version": 3, "kind": "crf", "documents": 40, "tasks": ["ner"], "notes": [],
             "vs_gold": PAIR,
             "vs_annotators": [{**PAIR, "annotator": "alice"}, ...]}}

A PAIR has ``a`` (the reference: "gold" or the annotator), ``b`` (the agent), ``documents``
(the documents both have) and one block per task the agent is measured on (the others are
None)::

    "entities": {"f1_exact": {a, b, value, macro, precision, recall, items, matched, count_a,
                              count_b, ci}, "f1_overlap": {...},
                 "per_label": {label: {f1_exact, f1_overlap, precision, recall, count_a,
                                       count_b}}}
    "relations": {"f1": {...}, "per_label": {label: {f1, precision, recall, count_a, count_b}}}
    "sentiment": {"cohen_kappa": {a, b, value, items, ci}, "percent_agreement",
                  "krippendorff_alpha": {nominal, ordinal, interval[, masi]},
                  "per_label": {label: {kappa, count_a, count_b}}}

The pair dicts carry the same keys, computed by the same functions, as a pair of annotators
in the human sections; precision and recall take the reference (``a``) as truth, so they are
the agent's precision and recall. ``ci`` is a 95% percentile bootstrap over the documents
the pair shares.

An agent's labellings are in inputs.py's per-annotator form: per document id, a content
with ``entities`` ((start, end, label) triples or dicts), ``relations`` (``head``/``tail``
as entity ids of that content, or as (start, end, label) triples) and ``sentiment`` (a name,
a list of names, or None). A document absent from an agent's labellings was not labelled
by it (like a document an annotator did not submit); a document present with no entities
counts with zero entities.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotation.pure.agreement import categorical as cat
from annotation.pure.agreement.alpha import (
    Metric,
    alpha_from_coincidences,
    coincidences,
    unit_coincidences,
    unit_counts,
)
from annotation.pure.agreement.bootstrap import Grouper, Statistic, bootstrap
from annotation.pure.agreement.inputs import Corpus, LabelMeta
from annotation.pure.agreement.multilabel import masi_distances, member_codes, set_membership
from annotation.pure.agreement.relations import RelationTable, relation_pair_counts
from annotation.pure.agreement.section import value
from annotation.pure.agreement.spans import (
    Match,
    PairCounts,
    SpanTable,
    f1,
    macro_f1,
    ratio,
    span_pair_counts,
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
class _Side:
    """One labeller (gold, an annotator or an agent) over the corpus documents, coder 0."""

    submitted: np.ndarray  # (D,) bool
    sentiment: np.ndarray  # (D,) int, -1 missing
    spans: SpanTable
    relations: RelationTable


@dataclass
class _Vocab:
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


def _ints(values: list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(len(values))


def _side(labellings: Mapping[Any, Mapping[str, Any] | None], position: Mapping[Any, int],
          vocab: _Vocab, multi: bool) -> _Side:
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
            head, tail = (_endpoint(rel.get(k), ids, vocab) for k in ("head", "tail"))
            if head is None or tail is None:
                continue
            row = (d, *head, *tail, vocab.code(vocab.relations, rel.get("label")))
            for column, v in zip(r, row, strict=True):
                column.append(v)
    zeros = _ints([0] * len(e[0]))
    spans = SpanTable(_ints(e[0]), zeros, _ints(e[1]), _ints(e[2]), _ints(e[3]))
    relations = RelationTable(_ints(r[0]), _ints([0] * len(r[0])),
                              *(_ints(column) for column in r[1:]))
    return _Side(submitted, sentiment, spans, relations)


def _endpoint(raw: Any, ids: Mapping[str, tuple[int, int, int]], vocab: _Vocab
              ) -> tuple[int, int, int] | None:
    if isinstance(raw, Mapping):
        raw = (raw.get("start"), raw.get("end"), raw.get("label"))
    if isinstance(raw, list | tuple) and len(raw) == 3 and None not in raw:
        return int(raw[0]), int(raw[1]), vocab.code(vocab.entities, raw[2])
    return ids.get(str(raw))


def _human(corpus: Corpus, c: int) -> _Side:
    sp, rel = corpus.spans, corpus.relations
    es, rs = sp.coder == c, rel.coder == c
    spans = SpanTable(sp.doc[es], np.zeros(int(es.sum()), np.int64), sp.start[es], sp.end[es],
                      sp.label[es])
    relations = RelationTable(rel.doc[rs], np.zeros(int(rs.sum()), np.int64),
                              rel.head_start[rs], rel.head_end[rs], rel.head_label[rs],
                              rel.tail_start[rs], rel.tail_end[rs], rel.tail_label[rs],
                              rel.label[rs])
    return _Side(corpus.submitted[c].copy(), corpus.sentiment[c].copy(), spans, relations)


def _join_spans(a: SpanTable, b: SpanTable) -> SpanTable:
    return SpanTable(np.concatenate([a.doc, b.doc]),
                     np.concatenate([np.zeros(len(a), np.int64), np.ones(len(b), np.int64)]),
                     np.concatenate([a.start, b.start]), np.concatenate([a.end, b.end]),
                     np.concatenate([a.label, b.label]))


def _join_relations(a: RelationTable, b: RelationTable) -> RelationTable:
    coder = np.concatenate([np.zeros(len(a), np.int64), np.ones(len(b), np.int64)])
    columns = ("doc", "head_start", "head_end", "head_label", "tail_start", "tail_end",
               "tail_label", "label")
    joined = {k: np.concatenate([getattr(a, k), getattr(b, k)]) for k in columns}
    return RelationTable(coder=coder, **joined)


@dataclass
class _Pair:
    data: dict[str, Any]
    statistics: dict[str, tuple[Statistic, dict[str, Any]]]  # ci key -> (f, dict to fill)


def _f1_entry(a: str, b: str, c: PairCounts) -> dict[str, Any]:
    """The same keys and values as a pair of annotators in entities._f1_block."""
    tp, na, nb = c.tp.sum(), c.na.sum(), c.nb.sum()
    return {"a": a, "b": b, "value": value(f1(tp, na, nb)), "macro": macro_f1(c),
            "precision": value(ratio(tp, nb)), "recall": value(ratio(tp, na)),
            "items": c.documents, "matched": int(tp), "count_a": int(na), "count_b": int(nb)}


def _f1_stat(c: PairCounts, rows: np.ndarray) -> Statistic:
    stacked = c.stacked()[rows]

    def stat(w: np.ndarray) -> np.ndarray:
        sums = w @ stacked
        return f1(sums[:, 0], sums[:, 1], sums[:, 2])

    return stat


def _label_f1(c: PairCounts) -> dict[str, np.ndarray]:
    return {"f1": f1(c.tp_label, c.na_label, c.nb_label),
            "precision": ratio(c.tp_label, c.nb_label), "recall": ratio(c.tp_label, c.na_label)}


def _entities(ref: _Side, agent: _Side, a: str, b: str, shared: np.ndarray, rows: np.ndarray,
              names: list[str], pair: _Pair) -> dict[str, Any]:
    spans, n = _join_spans(ref.spans, agent.spans), len(names)
    out: dict[str, Any] = {}
    per: dict[str, PairCounts] = {}
    matches: tuple[tuple[str, Match], ...] = (("f1_exact", "exact"), ("f1_overlap", "overlap"))
    for key, match in matches:
        per[key] = c = span_pair_counts(spans, 0, 1, shared, n, match)
        out[key] = _f1_entry(a, b, c)
        pair.statistics[f"entities.{key}"] = (_f1_stat(c, rows), out[key])
    exact, overlap = _label_f1(per["f1_exact"]), _label_f1(per["f1_overlap"])
    c = per["f1_exact"]
    out["per_label"] = {name: {"f1_exact": value(exact["f1"][i]),
                               "f1_overlap": value(overlap["f1"][i]),
                               "precision": value(exact["precision"][i]),
                               "recall": value(exact["recall"][i]),
                               "count_a": int(c.na_label[i]), "count_b": int(c.nb_label[i])}
                        for i, name in enumerate(names)}
    return out


def _relations(ref: _Side, agent: _Side, a: str, b: str, shared: np.ndarray, rows: np.ndarray,
               names: list[str], pair: _Pair) -> dict[str, Any]:
    c = relation_pair_counts(_join_relations(ref.relations, agent.relations), 0, 1, shared,
                             len(names))
    out: dict[str, Any] = {"f1": _f1_entry(a, b, c)}
    pair.statistics["relations.f1"] = (_f1_stat(c, rows), out["f1"])
    per = _label_f1(c)
    out["per_label"] = {name: {"f1": value(per["f1"][i]),
                               "precision": value(per["precision"][i]),
                               "recall": value(per["recall"][i]),
                               "count_a": int(c.na_label[i]), "count_b": int(c.nb_label[i])}
                        for i, name in enumerate(names)}
    return out


def _sentiment(ref: _Side, agent: _Side, a: str, b: str, shared: np.ndarray, rows: np.ndarray,
               vocab: _Vocab, labels: LabelMeta, pair: _Pair) -> dict[str, Any]:
    multi = labels.multi_label
    codes = np.stack([np.where(shared, ref.sentiment, -1), np.where(shared, agent.sentiment, -1)])
    if multi:
        membership = set_membership(vocab.sets, len(vocab.sentiment))
        categories = ["+".join(sorted(vocab.sentiment[i] for i in s)) for s in vocab.sets]
    else:
        membership = np.eye(len(vocab.sentiment), dtype=bool)
        categories = list(vocab.sentiment)
    k = len(categories)
    cells = cat.pair_cells(codes, 0, 1, k)
    conf = cat.confusion(cells, k)
    items = int(conf.sum())
    kappa = {"a": a, "b": b, "value": value(cat.kappa_from_confusion(conf)), "items": items}
    counts = unit_counts(codes, k)
    o = coincidences(counts)
    alpha: dict[str, float | None] = {"nominal": value(alpha_from_coincidences(o)),
                                      "ordinal": None, "interval": None}
    delta = None
    primary = "nominal"
    if multi:
        delta = masi_distances(membership)
        alpha["masi"] = value(alpha_from_coincidences(o, "nominal", delta=delta))
        primary = "masi"
    else:
        if labels.scale == "ordinal":
            alpha["ordinal"] = value(alpha_from_coincidences(o, "ordinal"))
            primary = "ordinal"
        numbers = labels.sentiment_values or {}
        if k and all(isinstance(numbers.get(n), int | float) for n in categories):
            alpha["interval"] = value(alpha_from_coincidences(
                o, "interval", np.array([float(numbers[n]) for n in categories])))
    out: dict[str, Any] = {
        "items": items, "cohen_kappa": kappa,
        "percent_agreement": value(np.trace(conf) / items) if items else None,
        "krippendorff_alpha": alpha, "alpha_primary": primary}
    if k:
        grouper = Grouper(cells[rows], k * k)
        pair.statistics["sentiment.cohen_kappa"] = (
            lambda w: cat.kappa_from_confusion(grouper(w).reshape(-1, k, k)), kappa)
        per_doc_o = unit_coincidences(counts)[rows]
        metric: Metric = "ordinal" if primary == "ordinal" else "nominal"
        pair.statistics[f"sentiment.krippendorff_alpha.{primary}"] = (
            lambda w: alpha_from_coincidences((w @ per_doc_o).reshape(-1, k, k), metric,
                                              delta=delta), out["krippendorff_alpha"])
    per_label: dict[str, Any] = {}
    for i, name in enumerate(vocab.sentiment):
        binary = member_codes(codes, membership, i) if k else np.full_like(codes, -1)
        bconf = cat.confusion(cat.pair_cells(binary, 0, 1, 2), 2)
        per_label[name] = {"kappa": value(cat.kappa_from_confusion(bconf)),
                           "count_a": int((binary[0] == 1).sum()),
                           "count_b": int((binary[1] == 1).sum())}
    out["per_label"] = per_label
    return out


def _pair(ref: _Side, agent: _Side, a: str, b: str, tasks: Collection[str], vocab: _Vocab,
          labels: LabelMeta) -> _Pair:
    shared = ref.submitted & agent.submitted
    rows = np.nonzero(shared)[0]
    pair = _Pair({"a": a, "b": b, "documents": int(shared.sum())}, {})
    for block in TASK_BLOCKS.values():
        pair.data[block] = None
    if "ner" in tasks:
        pair.data["entities"] = _entities(ref, agent, a, b, shared, rows, vocab.entities, pair)
    if "relations" in tasks:
        pair.data["relations"] = _relations(ref, agent, a, b, shared, rows, vocab.relations,
                                            pair)
    if "sentiment" in tasks:
        pair.data["sentiment"] = _sentiment(ref, agent, a, b, shared, rows, vocab, labels,
                                            pair)
    return pair


def _intervals(pair: _Pair, replicates: int, seed: int, level: float) -> None:
    n = pair.data["documents"]
    found = bootstrap({k: f for k, (f, _) in pair.statistics.items()}, n, replicates, seed,
                      level)
    for key, (_, target) in pair.statistics.items():
        ci = {**found[key].as_dict(), "n": n}
        if key.startswith("sentiment.krippendorff_alpha."):
            target["ci"] = {key.rsplit(".", 1)[1]: ci}
        else:
            target["ci"] = ci


def agents_report(corpus: Corpus, labels: LabelMeta,
                  gold: Mapping[Any, Mapping[str, Any] | None],
                  agents: Mapping[str, AgentLabellings], *, replicates: int = 1000,
                  seed: int = 0, level: float = 0.95) -> dict[str, Any]:
    """Each agent against gold and against each annotator of ``corpus`` (see the module
    docstring). Documents outside ``corpus.doc_ids`` are ignored; an agent that labelled
    none of them, or none of the tasks the project runs, is left out: no agent, ``{}``."""
    position = {doc_id: d for d, doc_id in enumerate(corpus.doc_ids)}
    vocab = _Vocab(list(corpus.entity_labels), list(corpus.relation_labels),
                   list(corpus.sentiment_labels), list(corpus.sentiment_sets))
    multi = labels.multi_label
    gold_side = _side(gold, position, vocab, multi)
    sides = {name: _side(agent.documents, position, vocab, multi)
             for name, agent in sorted(agents.items())}
    humans = [_human(corpus, c) for c in range(len(corpus.annotators))]
    out: dict[str, Any] = {}
    for name, side in sides.items():
        agent = agents[name]
        wanted = labels.tasks if agent.tasks is None else set(agent.tasks) & set(labels.tasks)
        tasks = [t for t in TASK_BLOCKS if t in wanted]
        if not tasks or not side.submitted.any():
            continue
        pairs: list[tuple[_Pair, str | None]] = [
            (_pair(gold_side, side, GOLD, name, tasks, vocab, labels), None)]
        pairs += [(_pair(h, side, who, name, tasks, vocab, labels), who)
                  for who, h in zip(corpus.annotators, humans, strict=True)]
        for pair, _who in pairs:
            _intervals(pair, replicates, seed, level)
        notes = list(agent.notes)
        if not pairs[0][0].data["documents"]:
            notes.append("no document has both gold and this agent's labels: vs_gold is empty")
        out[name] = {
            "version": agent.version, "kind": agent.kind,
            "documents": int(side.submitted.sum()), "tasks": tasks,
            "vs_gold": pairs[0][0].data,
            "vs_annotators": [{**pair.data, "annotator": who} for pair, who in pairs[1:]],
            "notes": notes}
    return out

