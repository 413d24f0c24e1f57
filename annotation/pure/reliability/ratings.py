"""The input of every estimator here, and the pieces they share.

Ratings come as a (rows, items) int matrix of label codes 0..K-1, -1 (any negative code) for
"not rated". A row is normally one annotator; ``raters`` (rows,) maps rows to annotators
0..A-1 when one person rated the items more than once (Dawid & Skene's clinician 1 read
every patient's record three times): rows of the same annotator then share one set of
parameters. Items nobody rated take no part in any estimate and get NaN posteriors.
"""

import numpy as np

TINY = 1e-300  # floor before a log, so that a zero probability is not -inf (only at smoothing 0)


def check_codes(codes: np.ndarray, k: int) -> np.ndarray:
    """The ratings as int64, missing ratings as -1; ValueError on a shape or code out of range."""
    arr = np.asarray(codes)
    if arr.ndim != 2:
        raise ValueError("ratings have shape (annotators, items)")
    if arr.size and arr.dtype.kind not in "iub":
        raise ValueError("ratings are integer label codes, -1 for not rated")
    out = np.where(arr >= 0, arr, -1).astype(np.int64)
    if out.size and out.max() >= k:
        raise ValueError(f"a label code is >= the number of classes ({k})")
    return out


def rater_index(raters: np.ndarray | None, rows: int) -> tuple[np.ndarray, int]:
    """(rows,) annotator of each row, and the number of annotators; by default a row each."""
    if raters is None:
        return np.arange(rows, dtype=np.int64), rows
    r = np.asarray(raters, dtype=np.int64)
    if r.shape != (rows,):
        raise ValueError("raters gives one annotator per row of the ratings")
    n = int(r.max()) + 1 if rows else 0
    if rows and (r.min() < 0 or len(np.unique(r)) != n):
        raise ValueError("raters must number the annotators 0..A-1, each with a row")
    return r, n


def group_sum(per_row: np.ndarray, raters: np.ndarray, n: int) -> np.ndarray:
    """Sums the leading (rows) axis by annotator: (rows, ...) -> (annotators, ...)."""
    out = np.zeros((n, *per_row.shape[1:]))
    np.add.at(out, raters, per_row)
    return out


def one_hot(codes: np.ndarray, k: int) -> np.ndarray:
    """(rows, items, K) float64 indicator of each rating; all zero where not rated."""
    rated = codes >= 0
    out = np.zeros((*codes.shape, k))
    rows, items = np.nonzero(rated)
    out[rows, items, codes[rated]] = 1.0
    return out


def vote_shares(codes: np.ndarray, k: int) -> np.ndarray:
    """(items, K): the share of each item's ratings that gave each class; NaN rows if unrated."""
    votes = one_hot(check_codes(codes, k), k).sum(axis=0)
    with np.errstate(invalid="ignore"):
        return np.asarray(votes / votes.sum(axis=1, keepdims=True))


def majority_vote(codes: np.ndarray, k: int) -> np.ndarray:
    """(items, K): each item's share of votes among the classes that got the most votes.

    A tie splits the item evenly between the tied classes; an item nobody rated is a NaN row.
    Every rating is a vote, so an annotator who rated an item twice votes twice.
    """
    codes = check_codes(codes, k)
    votes = one_hot(codes, k).sum(axis=0)
    top = votes == votes.max(axis=1, keepdims=True)
    share = top / top.sum(axis=1, keepdims=True)
    share[votes.sum(axis=1) == 0] = np.nan
    return share


def rated_items(codes: np.ndarray, raters: np.ndarray, n: int) -> np.ndarray:
    """(annotators,) int64: how many distinct items each annotator rated."""
    return (group_sum((codes >= 0).astype(np.float64), raters, n) > 0).sum(axis=1)


def degenerate_reason(codes: np.ndarray, k: int, raters: np.ndarray, n: int,
                      weights: np.ndarray | None = None) -> str | None:
    """Why no annotator model can be fitted to these ratings, or None if one can.
    `weights`: how many items each column stands for (compress)."""
    rated = codes >= 0
    counts = np.ones(codes.shape[1]) if weights is None else weights
    if k < 2:
        return "fewer than two classes: there is nothing to confuse"
    if len(np.unique(raters[rated.any(axis=1)])) < 2:
        return "fewer than two annotators rated anything"
    if counts[rated.any(axis=0)].sum() < 2:
        return "fewer than two items were rated"
    if not (rated.sum(axis=0) >= 2).any():
        return "no item has two ratings, so no rating can be checked against another"
    return None


def normalise_log(log_joint: np.ndarray, weights: np.ndarray | None = None
                  ) -> tuple[np.ndarray, float]:
    """Rows of log p(class, ratings) -> (posterior rows, total log marginal likelihood);
    `weights`: how many items each row stands for (compress)."""
    top = log_joint.max(axis=1, keepdims=True)
    w = np.exp(log_joint - top)
    total = w.sum(axis=1, keepdims=True)
    per_row = (np.log(total) + top).ravel()
    return w / total, float(per_row.sum() if weights is None else per_row @ weights)


def compress(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct columns of (rows, items) codes (rating patterns), each item's pattern,
    and how many items share each pattern. EM on the patterns, each weighted by its count,
    is EM on the items (items with the same ratings have the same posterior), and there are
    at most (K + 1) ** rows patterns however many items: 100,000 items of 3 annotators are
    at most 64 rows."""
    patterns, inverse, counts = np.unique(codes, axis=1, return_inverse=True,
                                          return_counts=True)
    return patterns, inverse.ravel(), counts.astype(np.float64)


def undefined(shape: tuple[int, ...]) -> np.ndarray:
    return np.full(shape, np.nan)


def most_probable(posterior: np.ndarray) -> np.ndarray:
    """(items,) the most probable class (the lowest on a tie), -1 for NaN rows."""
    ok = ~np.isnan(posterior).any(axis=1)
    return np.where(ok, np.argmax(np.where(ok[:, None], posterior, 0.0), axis=1), -1)


def weighted(codes: np.ndarray, seen: np.ndarray, weights: np.ndarray | None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rated columns as (patterns, each column's pattern, pattern weights): compressed,
    or, given `weights`, the columns themselves with theirs."""
    if weights is None:
        return compress(codes[:, seen])
    count = int(seen.sum())
    return codes[:, seen], np.arange(count), np.asarray(weights, dtype=np.float64)[seen]
