"""Vectorized matching of two annotators' items (spans, relations) document by document."""

import itertools
from collections.abc import Sequence

import numpy as np

_LIMIT = 1 << 62


def row_ids(columns: Sequence[np.ndarray]) -> np.ndarray:
    """int64 ids such that two rows get the same id iff all their columns are equal.

    A mixed-radix number over the columns' ranges when it fits in 62 bits; otherwise dense
    ids built column by column.
    """
    if not columns:
        raise ValueError("row_ids needs at least one column")
    cols = [np.asarray(c, dtype=np.int64) for c in columns]
    if cols[0].size == 0:
        return np.zeros(0, dtype=np.int64)
    lows = [int(c.min()) for c in cols]
    widths = [int(c.max()) - low + 1 for c, low in zip(cols, lows, strict=True)]
    if np.prod([float(w) for w in widths]) < _LIMIT:
        key = np.zeros(len(cols[0]), dtype=np.int64)
        for c, low, width in zip(cols, lows, widths, strict=True):
            key = key * width + (c - low)
        return key
    ids = np.unique(np.asarray(columns[0], dtype=np.int64), return_inverse=True)[1]
    for col in columns[1:]:
        _, c = np.unique(np.asarray(col, dtype=np.int64), return_inverse=True)
        width = int(c.max()) + 1 if c.size else 1
        if ids.size and (int(ids.max()) + 1) * width >= _LIMIT:
            ids = np.unique(ids, return_inverse=True)[1]
        ids = np.unique(ids * width + c, return_inverse=True)[1]
    return ids.astype(np.int64).reshape(-1)


def exact_matches(keys_a: np.ndarray, keys_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Multiset intersection of two key arrays: (index of a representative row in keys_a, count).

    Duplicated keys match at most as often as the rarer side has them.
    """
    ua, first_a, ca = np.unique(keys_a, return_index=True, return_counts=True)
    ub, cb = np.unique(keys_b, return_counts=True)
    _, ia, ib = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    return first_a[ia], np.minimum(ca[ia], cb[ib])


def overlap_matches(doc_a: np.ndarray, start_a: np.ndarray, end_a: np.ndarray,
                    doc_b: np.ndarray, start_b: np.ndarray, end_b: np.ndarray,
                    group_a: np.ndarray | None = None,
                    group_b: np.ndarray | None = None,
                    max_candidates: int = 1_000_000) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one matching of overlapping spans, greedy by largest overlap: (rows a, rows b).

    Candidates are pairs in the same document (and the same group, e.g. label, when groups
    are given) sharing at least one code point. Candidates are taken in order of overlap
    length (largest first), then of boundary distance |start_a - start_b| + |end_a - end_b|
    (smallest first), then of row indices; a candidate is kept when neither span is matched
    yet. This equals the sequential greedy algorithm, computed in rounds: each round keeps
    every candidate that is the best remaining one of both its spans (a locally dominant
    edge), then drops the candidates of the spans just matched. The result depends on which
    annotator is ``a`` only through the final row-index tie-break, so callers put the
    annotator that comes first in a fixed order on side a.
    """
    order_b = np.lexsort((start_b, doc_b))
    sorted_doc_b = doc_b[order_b]
    lo = np.searchsorted(sorted_doc_b, doc_a, side="left")
    hi = np.searchsorted(sorted_doc_b, doc_a, side="right")
    n = hi - lo
    total = int(n.sum())
    empty = np.zeros(0, dtype=np.int64)
    if total == 0:
        return empty, empty
    if total > max_candidates:  # bound memory: documents are independent, match them in blocks
        return _in_blocks(doc_a, start_a, end_a, doc_b, start_b, end_b, group_a, group_b,
                          n, max_candidates)
    ra = np.repeat(np.arange(len(doc_a), dtype=np.int64), n)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    rb = order_b[np.repeat(lo, n) + offsets]
    overlap = np.minimum(end_a[ra], end_b[rb]) - np.maximum(start_a[ra], start_b[rb])
    keep = overlap > 0
    if group_a is not None and group_b is not None:
        keep &= group_a[ra] == group_b[rb]
    ra, rb, overlap = ra[keep], rb[keep], overlap[keep]
    distance = np.abs(start_a[ra] - start_b[rb]) + np.abs(end_a[ra] - end_b[rb])
    order = np.lexsort((rb, ra, distance, -overlap))
    ra, rb = ra[order], rb[order]
    out_a, out_b = [empty], [empty]  # no candidate may overlap at all
    while ra.size:  # rounds, not items: each round matches every locally dominant candidate
        rank = np.arange(ra.size)
        best_a = np.full(len(doc_a), -1, dtype=np.int64)
        best_b = np.full(len(doc_b), -1, dtype=np.int64)
        ua, ia = np.unique(ra, return_index=True)
        ub, ib = np.unique(rb, return_index=True)
        best_a[ua], best_b[ub] = ia, ib
        mutual = (best_a[ra] == rank) & (best_b[rb] == rank)
        out_a.append(ra[mutual])
        out_b.append(rb[mutual])
        taken_a = np.zeros(len(doc_a), dtype=bool)
        taken_b = np.zeros(len(doc_b), dtype=bool)
        taken_a[ra[mutual]], taken_b[rb[mutual]] = True, True
        left = ~(taken_a[ra] | taken_b[rb])
        ra, rb = ra[left], rb[left]
    return np.concatenate(out_a), np.concatenate(out_b)


def _in_blocks(doc_a: np.ndarray, start_a: np.ndarray, end_a: np.ndarray, doc_b: np.ndarray,
               start_b: np.ndarray, end_b: np.ndarray, group_a: np.ndarray | None,
               group_b: np.ndarray | None, n: np.ndarray,
               max_candidates: int) -> tuple[np.ndarray, np.ndarray]:
    docs = np.unique(doc_a)
    per_doc = np.bincount(np.searchsorted(docs, doc_a), weights=n, minlength=len(docs))
    block = (np.cumsum(per_doc) // max_candidates).astype(np.int64)
    cuts = np.concatenate([[0], np.nonzero(np.diff(block))[0] + 1, [len(docs)]])
    out_a, out_b = [], []
    for lo, hi in itertools.pairwise(cuts.tolist()):  # a few blocks, not items
        first, last = docs[lo], docs[hi - 1]
        ia = np.nonzero((doc_a >= first) & (doc_a <= last))[0]
        ib = np.nonzero((doc_b >= first) & (doc_b <= last))[0]
        ma, mb = overlap_matches(
            doc_a[ia], start_a[ia], end_a[ia], doc_b[ib], start_b[ib], end_b[ib],
            None if group_a is None else group_a[ia], None if group_b is None else group_b[ib],
            max_candidates=max(max_candidates, int(per_doc[lo:hi].sum())))
        out_a.append(ia[ma])
        out_b.append(ib[mb])
    return np.concatenate(out_a), np.concatenate(out_b)
