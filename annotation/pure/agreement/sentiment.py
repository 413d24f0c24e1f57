"""The sentiment section of the report: one categorical (or set-valued) rating per document."""

import itertools
from typing import Any

import numpy as np

from annotation.pure.agreement import categorical as cat
from annotation.pure.agreement.alpha import (
    Metric,
    alpha_from_coincidences,
    alpha_reason,
    coincidences,
    unit_coincidences,
    unit_counts,
)
from annotation.pure.agreement.bootstrap import Grouper
from annotation.pure.agreement.inputs import Corpus, LabelMeta
from annotation.pure.agreement.multilabel import masi_distances, member_codes, set_membership
from annotation.pure.agreement.section import Section, mean_defined
from annotation.pure.agreement.section import value as _value


def _alpha(counts: np.ndarray, o: np.ndarray, section: Section, metric: Metric, key: str,
           values: np.ndarray | None = None, delta: np.ndarray | None = None) -> float | None:
    value = _value(alpha_from_coincidences(o, metric, values, delta))
    if value is None:
        section.note(f"krippendorff_alpha.{key}", alpha_reason(o) or "undefined")
    return value


def unit_pair_agreement(counts: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Per unit, the mean over its rating pairs of 1 - delta; NaN below two ratings."""
    c = counts.astype(np.float64)
    m = c.sum(axis=1)
    close = 1.0 - delta
    pairs = np.einsum("uk,kl,ul->u", c, close, c) - c @ np.diag(close)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(m >= 2, pairs / (m * (m - 1.0)), np.nan)


def sentiment_section(corpus: Corpus, labels: LabelMeta) -> Section:
    s = Section("sentiment")
    codes, names = corpus.sentiment, corpus.annotators
    multi = labels.multi_label
    if multi:
        membership = set_membership(corpus.sentiment_sets, len(corpus.sentiment_labels))
        categories = ["+".join(sorted(corpus.sentiment_labels[i] for i in st))
                      for st in corpus.sentiment_sets]
        s.note("krippendorff_alpha", "multi-label sentiment: each distinct set of labels is one "
               "category (exact-set agreement for percent agreement, kappa, Fleiss and nominal "
               "alpha); alpha.masi uses the MASI distance between sets; per_label gives binary "
               "statistics, label present or absent")
    else:
        membership = np.eye(len(corpus.sentiment_labels), dtype=bool)
        categories = list(corpus.sentiment_labels)
    k = len(categories)
    counts = unit_counts(codes, k)
    o = coincidences(counts)
    units = int((counts.sum(axis=1) >= 2).sum())
    s.data["items"] = units
    s.data["multi_label"] = multi
    if codes.shape[0] < 2:
        s.note("items", "fewer than two annotators: agreement is undefined")
    elif units == 0:
        s.note("items", "no document has sentiment ratings from two annotators")

    pa, _ = cat.percent_agreement(counts)
    s.data["percent_agreement"] = pa

    pairs: list[dict[str, Any]] = []
    kappas: list[float | None] = []
    cells = {}
    for i, j in itertools.combinations(range(codes.shape[0]), 2):
        cells[i, j] = cat.pair_cells(codes, i, j, k)
        conf = cat.confusion(cells[i, j], k)
        value = _value(cat.kappa_from_confusion(conf))
        if value is None:
            s.note(f"cohen_kappa.{names[i]}|{names[j]}", cat.kappa_reason(conf) or "undefined")
        kappas.append(value)
        pairs.append({"a": names[i], "b": names[j], "value": value, "items": int(conf.sum())})
    s.data["cohen_kappa"] = {"mean": mean_defined(kappas), "pairs": pairs}

    fleiss, fleiss_n, fleiss_note = cat.fleiss_kappa(counts)
    if fleiss_note:
        s.note("fleiss_kappa", fleiss_note)
    s.data["fleiss_kappa"] = fleiss

    alpha: dict[str, float | None] = {"nominal": _alpha(counts, o, s, "nominal", "nominal")}
    alpha["ordinal"] = alpha["interval"] = None
    values = labels.sentiment_values or {}
    if multi:
        delta = masi_distances(membership)
        alpha["masi"] = _alpha(counts, o, s, "nominal", "masi", delta=delta)
        s.note("krippendorff_alpha.ordinal", "not defined for multi-label sentiment")
    else:
        delta = 1.0 - np.eye(k)
        if labels.scale == "ordinal":
            alpha["ordinal"] = _alpha(counts, o, s, "ordinal", "ordinal")
        else:
            s.note("krippendorff_alpha.ordinal", "the sentiment scale is nominal")
        if k and all(isinstance(values.get(n), int | float) for n in categories):
            numeric = np.array([float(values[n]) for n in categories])
            alpha["interval"] = _alpha(counts, o, s, "interval", "interval", numeric)
        else:
            s.note("krippendorff_alpha.interval", "not every sentiment label has a numeric value")
    s.data["krippendorff_alpha"] = alpha

    s.data["per_label"] = _per_label(codes, counts, membership, corpus.sentiment_labels, s)
    s.data["confusion"] = {"labels": categories,
                           "matrix": cat.pooled_confusion(counts).tolist(),
                           "counts": "ordered pairs of different annotators on the same "
                                     "document: symmetric, each pair of ratings counted twice"}
    s.data["n"] = {"percent_agreement": units, "krippendorff_alpha": units,
                   "fleiss_kappa": fleiss_n,
                   "cohen_kappa": int(sum(int(p["items"]) for p in pairs))}
    s.per_document = unit_pair_agreement(counts, delta) if units else None

    per_doc_o = unit_coincidences(counts)
    alpha_key = "masi" if multi else "nominal"
    alpha_delta = delta if multi else None

    def alpha_stat(w: np.ndarray) -> np.ndarray:
        return alpha_from_coincidences((w @ per_doc_o).reshape(-1, k, k), "nominal",
                                       delta=alpha_delta)

    groupers = [Grouper(c, k * k) for c in cells.values()]

    def kappa_stat(w: np.ndarray) -> np.ndarray:
        if not groupers:
            return np.full(w.shape[0], np.nan)
        kappas = np.stack([cat.kappa_from_confusion(g(w).reshape(-1, k, k))
                           for g in groupers], axis=1)
        with np.errstate(all="ignore"):
            defined_any = ~np.isnan(kappas).all(axis=1)
            mean = np.nanmean(np.where(defined_any[:, None], kappas, 0.0), axis=1)
        return np.where(defined_any, mean, np.nan)

    if k:
        s.bootstrap[f"krippendorff_alpha.{alpha_key}"] = (alpha_stat, units)
        s.bootstrap["cohen_kappa.mean"] = (kappa_stat, units)
    else:
        s.note("labels", "no sentiment labels and no sentiment ratings: nothing to compare")
    return s


def _per_label(codes: np.ndarray, counts: np.ndarray, membership: np.ndarray,
               label_names: list[str], s: Section) -> dict[str, dict[str, Any]]:
    """One label against the rest: mean pairwise binary Cohen's kappa and binary nominal alpha.

    count is the number of ratings that chose the label (all annotators, all documents).
    """
    out: dict[str, dict[str, Any]] = {}
    for label, name in enumerate(label_names):
        binary = member_codes(codes, membership, label)
        b_counts = unit_counts(binary, 2)
        kappas = [float(v) for i, j in itertools.combinations(range(codes.shape[0]), 2)
                  if not np.isnan(v := cat.kappa_from_confusion(
                      cat.confusion(cat.pair_cells(binary, i, j, 2), 2)))]
        o = coincidences(b_counts)
        alpha = _value(alpha_from_coincidences(o))
        if not kappas or alpha is None:
            s.note(f"per_label.{name}", alpha_reason(o) or "no pair of annotators varies on it")
        out[name] = {"kappa": float(np.mean(kappas)) if kappas else None, "alpha": alpha,
                     "count": int((binary == 1).sum())}
    return out
