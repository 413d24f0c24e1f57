"""Pairwise precision, recall and F1 between two annotators' spans or relations.

Items are flattened into parallel int64 arrays (one row per span or relation) with the
document index, the annotator index and the label index. Only documents both annotators
submitted count (``shared``); a document submitted with no spans counts with zero spans.

Precision and recall take annotator ``a`` as the reference (precision = matched / spans of
b, recall = matched / spans of a); F1 = 2 matched / (spans of a + spans of b) is symmetric.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from annotation.pure.agreement.matching import exact_matches, overlap_matches, row_ids

Match = Literal["exact", "overlap"]


@dataclass(frozen=True)
class SpanTable:
    doc: np.ndarray
    coder: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray

    @classmethod
    def empty(cls) -> "SpanTable":
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, z, z)

    def __len__(self) -> int:
        return len(self.doc)


@dataclass(frozen=True)
class PairCounts:
    """Matched items and item totals of a pair, per document (D,) and per label (L,)."""

    tp: np.ndarray
    na: np.ndarray
    nb: np.ndarray
    tp_label: np.ndarray
    na_label: np.ndarray
    nb_label: np.ndarray
    documents: int  # documents both annotators submitted

    def stacked(self) -> np.ndarray:
        """(D, 3) per-document [tp, na, nb]: the bootstrap's sufficient statistics."""
        return np.stack([self.tp, self.na, self.nb], axis=1)


def f1(tp: np.ndarray, na: np.ndarray, nb: np.ndarray) -> np.ndarray:
    """2 tp / (na + nb) over any shape; NaN where neither side has an item."""
    tp, total = np.asarray(tp, dtype=np.float64), np.asarray(na + nb, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, 2.0 * tp / total, np.nan)


def ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _selection(doc: np.ndarray, coder: np.ndarray, who: int, shared: np.ndarray) -> np.ndarray:
    return np.asarray((coder == who) & shared[doc])


def exact_pair_counts(doc: np.ndarray, coder: np.ndarray, label: np.ndarray,
                      keys: Sequence[np.ndarray], a: int, b: int, shared: np.ndarray,
                      n_labels: int) -> PairCounts:
    """Items match when every column of ``keys`` is equal (and they are in the same document)."""
    n_docs = len(shared)
    sa, sb = _selection(doc, coder, a, shared), _selection(doc, coder, b, shared)
    both = sa | sb
    ids = row_ids([doc[both], *(k[both] for k in keys)]) if both.any() else np.zeros(0, np.int64)
    side_a = sa[both]
    rows_a = np.nonzero(sa)[0]
    reps, count = exact_matches(ids[side_a], ids[~side_a])
    matched = rows_a[reps]
    return PairCounts(
        tp=np.bincount(doc[matched], weights=count, minlength=n_docs),
        na=np.bincount(doc[sa], minlength=n_docs).astype(np.float64),
        nb=np.bincount(doc[sb], minlength=n_docs).astype(np.float64),
        tp_label=np.bincount(label[matched], weights=count, minlength=n_labels),
        na_label=np.bincount(label[sa], minlength=n_labels).astype(np.float64),
        nb_label=np.bincount(label[sb], minlength=n_labels).astype(np.float64),
        documents=int(shared.sum()))


def span_pair_counts(spans: SpanTable, a: int, b: int, shared: np.ndarray, n_labels: int,
                     match: Match = "exact", labelled: bool = True) -> PairCounts:
    """Counts for one annotator pair. Call with a < b in annotator order (see overlap_matches).

    exact: same start, end (and label, when labelled). overlap: one-to-one, greedy by largest
    overlap, spans sharing a code point (and a label, when labelled). Per-label counts use
    the label of a's span for matches, so they are meaningful for labelled matching only.
    """
    s = spans
    if match == "exact":
        keys = [s.start, s.end, s.label] if labelled else [s.start, s.end]
        return exact_pair_counts(s.doc, s.coder, s.label, keys, a, b, shared, n_labels)
    n_docs = len(shared)
    ia = np.nonzero(_selection(s.doc, s.coder, a, shared))[0]
    ib = np.nonzero(_selection(s.doc, s.coder, b, shared))[0]
    ma, _ = overlap_matches(s.doc[ia], s.start[ia], s.end[ia], s.doc[ib], s.start[ib],
                            s.end[ib], s.label[ia] if labelled else None,
                            s.label[ib] if labelled else None)
    matched = ia[ma]
    return PairCounts(
        tp=np.bincount(s.doc[matched], minlength=n_docs).astype(np.float64),
        na=np.bincount(s.doc[ia], minlength=n_docs).astype(np.float64),
        nb=np.bincount(s.doc[ib], minlength=n_docs).astype(np.float64),
        tp_label=np.bincount(s.label[matched], minlength=n_labels).astype(np.float64),
        na_label=np.bincount(s.label[ia], minlength=n_labels).astype(np.float64),
        nb_label=np.bincount(s.label[ib], minlength=n_labels).astype(np.float64),
        documents=int(shared.sum()))


def macro_f1(counts: PairCounts) -> float | None:
    """Mean of the per-label F1 over the labels either annotator used; None if none."""
    per_label = f1(counts.tp_label, counts.na_label, counts.nb_label)
    used = ~np.isnan(per_label)
    return float(per_label[used].mean()) if used.any() else None
