"""The entities and relations sections: pairwise span and relation F1, token-level agreement.

For every annotator pair: micro F1 (matches and spans pooled over the documents both
submitted, all labels) is the pair's ``value``, with the macro F1 (mean of per-label F1)
alongside. A section's ``mean`` is the mean of the pairs' micro F1; ``micro`` pools the
counts of all pairs; ``macro`` averages the per-label F1 pooled over all pairs.
"""

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from annotation.pure.agreement import categorical as cat
from annotation.pure.agreement.alpha import alpha_from_coincidences, alpha_reason
from annotation.pure.agreement.inputs import Corpus
from annotation.pure.agreement.relations import relation_pair_counts
from annotation.pure.agreement.section import Section, mean_defined, value
from annotation.pure.agreement.spans import PairCounts, f1, macro_f1, ratio, span_pair_counts
from annotation.pure.agreement.tokenlevel import token_agreement

Counter = Callable[[int, int, np.ndarray], PairCounts]


def _f1_block(corpus: Corpus, s: Section, key: str, count: Counter, what: str,
              labelled: bool = True) -> tuple[dict[str, Any], list[PairCounts]]:
    """Without labels, a match's two spans may carry different labels: per-label counts (and
    so the macro F1) are undefined, and `macro` is None."""
    names = corpus.annotators
    pairs: list[dict[str, Any]] = []
    values: list[float | None] = []
    all_counts: list[PairCounts] = []
    for a, b in itertools.combinations(range(len(names)), 2):
        shared = corpus.submitted[a] & corpus.submitted[b]
        c = count(a, b, shared)
        all_counts.append(c)
        tp, na, nb = c.tp.sum(), c.na.sum(), c.nb.sum()
        v = value(f1(tp, na, nb))
        if v is None:
            s.note(f"{key}.{names[a]}|{names[b]}",
                   "no document submitted by both" if c.documents == 0 else
                   f"neither annotated any {what} in the {c.documents} documents both submitted")
        values.append(v)
        pairs.append({"a": names[a], "b": names[b], "value": v,
                      "macro": macro_f1(c) if labelled else None,
                      "precision": value(ratio(tp, nb)), "recall": value(ratio(tp, na)),
                      "items": c.documents, "matched": int(tp), "count_a": int(na),
                      "count_b": int(nb)})
    block: dict[str, Any] = {"mean": mean_defined(values),
                             "micro": None, "macro": None, "pairs": pairs}
    if all_counts:
        tp = sum(float(c.tp.sum()) for c in all_counts)
        total = sum(float(c.na.sum() + c.nb.sum()) for c in all_counts)
        block["micro"] = value(2 * tp / total) if total else None
        per_label = _pooled_label_f1(all_counts)
        used = ~np.isnan(per_label)
        if labelled and used.any():
            block["macro"] = float(per_label[used].mean())
    return block, all_counts


def _pooled_label_f1(counts: list[PairCounts]) -> np.ndarray:
    return f1(np.sum([c.tp_label for c in counts], axis=0),
              np.sum([c.na_label for c in counts], axis=0),
              np.sum([c.nb_label for c in counts], axis=0))


def _mean_pair_f1(stacked: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Bootstrap statistic: mean over pairs of micro F1, from (D, pairs * 3) [tp, na, nb]."""

    def stat(w: np.ndarray) -> np.ndarray:
        sums = (w @ stacked).reshape(w.shape[0], -1, 3)
        scores = f1(sums[..., 0], sums[..., 1], sums[..., 2])
        defined = ~np.isnan(scores)
        total = np.where(defined, scores, 0.0).sum(axis=1)
        n = defined.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n > 0, total / np.maximum(n, 1), np.nan)

    return stat


def _per_document(counts: list[PairCounts], shared: list[np.ndarray]) -> np.ndarray:
    """Mean over pairs that share the document of its F1, 1 when neither annotated anything."""
    n_docs = len(shared[0]) if shared else 0
    total, n = np.zeros(n_docs), np.zeros(n_docs)
    for c, sh in zip(counts, shared, strict=True):
        score = np.where(c.na + c.nb > 0, f1(c.tp, c.na, c.nb), 1.0)
        total += np.where(sh, np.nan_to_num(score), 0.0)
        n += sh
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, total / n, np.nan)


def _shared(corpus: Corpus) -> list[np.ndarray]:
    sub = corpus.submitted
    return [sub[a] & sub[b] for a, b in itertools.combinations(range(sub.shape[0]), 2)]


def _documents(corpus: Corpus) -> int:
    return int((corpus.submitted.sum(axis=0) >= 2).sum())


def entities_section(corpus: Corpus) -> Section:
    s = Section("entities")
    spans, n_labels = corpus.spans, len(corpus.entity_labels)
    docs = _documents(corpus)
    s.data["documents"] = docs
    s.data["spans"] = len(spans)
    blocks: dict[str, list[PairCounts]] = {}
    for key, match, labelled in (("f1_exact", "exact", True), ("f1_overlap", "overlap", True),
                                 ("f1_exact_unlabelled", "exact", False),
                                 ("f1_overlap_unlabelled", "overlap", False)):
        def count(a: int, b: int, shared: np.ndarray, match: Any = match,
                  labelled: bool = labelled) -> PairCounts:
            return span_pair_counts(spans, a, b, shared, n_labels, match, labelled)
        s.data[key], blocks[key] = _f1_block(corpus, s, key, count, "entity", labelled)
        if not labelled:
            s.note(f"{key}.macro", "a macro average needs labels: unlabelled matching has none")
    s.note("f1_overlap", "overlap match: spans sharing at least one code point (and the label), "
           "paired one-to-one greedily by largest overlap")
    exact, overlap = (_pooled_label_f1(blocks["f1_exact"]), _pooled_label_f1(blocks["f1_overlap"])
                      ) if blocks["f1_exact"] else (np.full(n_labels, np.nan),) * 2
    per_label_count = np.bincount(spans.label, minlength=n_labels)
    s.data["per_label"] = {name: {"f1_exact": value(exact[i]), "f1_overlap": value(overlap[i]),
                                  "count": int(per_label_count[i])}
                           for i, name in enumerate(corpus.entity_labels)}
    s.data["token"] = _token_level(corpus, s)
    s.data["n"] = {"f1_exact": docs, "f1_overlap": docs}
    if blocks["f1_exact"] and len(spans):
        s.per_document = _per_document(blocks["f1_exact"], _shared(corpus))
        stacked = np.concatenate([c.stacked() for c in blocks["f1_exact"]], axis=1)
        s.bootstrap["f1_exact.mean"] = (_mean_pair_f1(stacked), docs)
    return s


def _token_level(corpus: Corpus, s: Section) -> dict[str, Any] | None:
    """Cohen's kappa per pair and nominal alpha on BIO tags over the tokens of shared documents."""
    if corpus.texts is None:
        s.note("token", "documents were given without their text: no token-level agreement")
        return None
    counted = token_agreement(corpus.spans, corpus.texts, corpus.submitted,
                              len(corpus.entity_labels), segmentation=corpus.segmentation)
    names = corpus.annotators
    pairs: list[dict[str, Any]] = []
    kappas: list[float | None] = []
    for (i, j), conf in counted.confusion.items():
        v = value(cat.kappa_from_confusion(conf))
        if v is None:
            s.note(f"token.cohen_kappa.{names[i]}|{names[j]}", cat.kappa_reason(conf) or "")
        kappas.append(v)
        pairs.append({"a": names[i], "b": names[j], "value": v, "items": int(conf.sum())})
    o = counted.coincidences
    alpha = value(alpha_from_coincidences(o))
    if alpha is None:
        s.note("token.krippendorff_alpha", alpha_reason(o) or "undefined")
    return {"tokens": counted.tokens,
            "cohen_kappa": {"mean": mean_defined(kappas), "pairs": pairs},
            "krippendorff_alpha": alpha,
            "scheme": "BIO over the shared tokenizer's tokens; O, B-label, I-label",
            "segmentation": corpus.segmentation}


def relations_section(corpus: Corpus) -> Section:
    s = Section("relations")
    rel, n_labels = corpus.relations, len(corpus.relation_labels)
    docs = _documents(corpus)
    s.data["documents"] = docs
    s.data["relations"] = len(rel)

    def count(a: int, b: int, shared: np.ndarray) -> PairCounts:
        return relation_pair_counts(rel, a, b, shared, n_labels)

    s.data["f1"], counts = _f1_block(corpus, s, "f1", count, "relation")
    per_label = _pooled_label_f1(counts) if counts else np.full(n_labels, np.nan)
    per_label_count = np.bincount(rel.label, minlength=n_labels)
    s.data["per_label"] = {name: {"f1": value(per_label[i]), "count": int(per_label_count[i])}
                           for i, name in enumerate(corpus.relation_labels)}
    s.data["n"] = {"f1": docs}
    if counts and len(rel):
        s.per_document = _per_document(counts, _shared(corpus))
        stacked = np.concatenate([c.stacked() for c in counts], axis=1)
        s.bootstrap["f1.mean"] = (_mean_pair_f1(stacked), docs)
    return s
