"""Pairs of a reference and an agent: the statistics, their intervals, the report."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotation.pure.agreement import categorical as cat
from annotation.pure.agreement.agents.sides import (
    GOLD,
    TASK_BLOCKS,
    AgentLabellings,
    Side,
    Vocab,
    human_side,
    join_relations,
    join_spans,
    side_of,
)
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
from annotation.pure.agreement.relations import relation_pair_counts
from annotation.pure.agreement.section import value
from annotation.pure.agreement.spans import (
    Match,
    PairCounts,
    f1,
    macro_f1,
    ratio,
    span_pair_counts,
)


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


def _entities(ref: Side, agent: Side, a: str, b: str, shared: np.ndarray, rows: np.ndarray,
              names: list[str], pair: _Pair) -> dict[str, Any]:
    spans, n = join_spans(ref.spans, agent.spans), len(names)
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


def _relations(ref: Side, agent: Side, a: str, b: str, shared: np.ndarray, rows: np.ndarray,
               names: list[str], pair: _Pair) -> dict[str, Any]:
    c = relation_pair_counts(join_relations(ref.relations, agent.relations), 0, 1, shared,
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


def _sentiment(ref: Side, agent: Side, a: str, b: str, shared: np.ndarray, rows: np.ndarray,
               vocab: Vocab, labels: LabelMeta, pair: _Pair) -> dict[str, Any]:
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


def _pair(ref: Side, agent: Side, a: str, b: str, tasks: Collection[str], vocab: Vocab,
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
    vocab = Vocab(list(corpus.entity_labels), list(corpus.relation_labels),
                   list(corpus.sentiment_labels), list(corpus.sentiment_sets))
    multi = labels.multi_label
    gold_side = side_of(gold, position, vocab, multi)
    sides = {name: side_of(agent.documents, position, vocab, multi)
             for name, agent in sorted(agents.items())}
    humans = [human_side(corpus, c) for c in range(len(corpus.annotators))]
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
