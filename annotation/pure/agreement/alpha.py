"""Krippendorff's alpha through the coincidence matrix, with missing data.

A reliability matrix has shape (coders, units) and holds category codes 0..K-1; a negative
code or NaN marks a missing rating. Every function here works on counts, so nothing loops
over units; the functions on coincidence matrices broadcast over leading axes, which is how
the bootstrap evaluates all its replicates at once.
"""

from collections.abc import Sequence
from typing import Literal

import numpy as np

Metric = Literal["nominal", "ordinal", "interval"]
_EPS = 1e-12


def unit_counts(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """(coders, units) codes -> (units, categories) int64: how many coders chose each value."""
    codes = np.asarray(codes)
    if codes.ndim != 2:
        raise ValueError("a reliability matrix has shape (coders, units)")
    valid = np.isfinite(codes) & (codes >= 0) if codes.dtype.kind == "f" else codes >= 0
    n_units = codes.shape[1]
    picked = codes[valid].astype(np.int64)
    if picked.size and picked.max() >= n_categories:
        raise ValueError(f"a code is >= the number of categories ({n_categories})")
    unit = np.nonzero(valid)[1]
    flat = unit * n_categories + picked
    return np.bincount(flat, minlength=n_units * n_categories).reshape(n_units, n_categories)


def pairable(counts: np.ndarray) -> np.ndarray:
    """Units with at least two ratings: the only ones alpha uses."""
    return np.asarray(counts.sum(axis=-1) >= 2)


def coincidences(counts: np.ndarray) -> np.ndarray:
    """The (K, K) coincidence matrix o_ck = sum_u (n_uc n_uk - [c=k] n_uc) / (m_u - 1)."""
    keep = pairable(counts)
    c = counts[keep].astype(np.float64)
    w = c / (c.sum(axis=1, keepdims=True) - 1.0)
    o = c.T @ w
    o[np.diag_indices_from(o)] -= w.sum(axis=0)
    return o


def coincidences_from_codes(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """The coincidence matrix straight from a (coders, units) matrix, without (units, K) counts.

    Sums, over ordered pairs of distinct coders, each unit's pair of values weighted by
    1 / (m_u - 1): memory O(units) whatever K, time O(coders^2 units). Equal to
    ``coincidences(unit_counts(codes, K))``.
    """
    codes = np.asarray(codes)
    valid = np.isfinite(codes) & (codes >= 0) if codes.dtype.kind == "f" else codes >= 0
    ints = np.where(valid, codes, 0).astype(np.int64)
    if ints.size and ints.max() >= n_categories:
        raise ValueError(f"a code is >= the number of categories ({n_categories})")
    m = valid.sum(axis=0)
    weight = np.where(m >= 2, 1.0 / np.maximum(m - 1, 1), 0.0)
    k2 = n_categories * n_categories
    o = np.zeros(k2)
    for i in range(codes.shape[0]):  # coder pairs, not units
        for j in range(codes.shape[0]):
            if i != j:
                both = np.nonzero(valid[i] & valid[j])[0]
                o += np.bincount(ints[i, both] * n_categories + ints[j, both],
                                 weights=weight[both], minlength=k2)
    return o.reshape(n_categories, n_categories)


def unit_coincidences(counts: np.ndarray) -> np.ndarray:
    """Each unit's contribution to the coincidence matrix, (units, K*K); zero for unpairable.

    The coincidence matrix of any weighting of the units (a bootstrap replicate) is
    ``weights @ unit_coincidences(counts)``.
    """
    c = counts.astype(np.float64)
    m = c.sum(axis=1, keepdims=True)
    w = np.divide(c, m - 1.0, out=np.zeros_like(c), where=m >= 2)
    k = c.shape[1]
    out = (c[:, :, None] * w[:, None, :]).reshape(len(c), k * k)
    out[:, :: k + 1] -= w
    return out


def distances(metric: Metric, marginals: np.ndarray,
              values: Sequence[float] | np.ndarray | None = None) -> np.ndarray:
    """The squared distance matrix delta_ck, broadcast over the leading axes of ``marginals``.

    ordinal is Krippendorff's rank metric, (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, which needs
    the marginals n_g of the coincidence matrix and categories in scale order; interval needs
    the numeric ``values`` of the categories.
    """
    k = marginals.shape[-1]
    if metric == "nominal":
        return 1.0 - np.eye(k)
    if metric == "interval":
        if values is None:
            raise ValueError("the interval metric needs the numeric value of every category")
        v = np.asarray(values, dtype=np.float64)
        return (v[:, None] - v[None, :]) ** 2
    if metric == "ordinal":
        n = np.asarray(marginals, dtype=np.float64)
        cum = np.cumsum(n, axis=-1)
        between = cum[..., None, :] - cum[..., :, None]  # sum_{g=c+1..k} n_g, signed
        # squared, so the sign taken for c > k does not matter
        return (between + (n[..., :, None] - n[..., None, :]) / 2.0) ** 2
    raise ValueError(f"unknown metric {metric!r}")


def alpha_from_coincidences(o: np.ndarray, metric: Metric = "nominal",
                            values: Sequence[float] | np.ndarray | None = None,
                            delta: np.ndarray | None = None) -> np.ndarray:
    """alpha = 1 - (n - 1) sum o_ck d_ck / sum n_c n_k d_ck, over the leading axes of ``o``.

    NaN where alpha is undefined: fewer than two pairable values, or no expected disagreement
    (every pairable value the same). ``delta`` overrides the metric (e.g. MASI distances).
    """
    nc = o.sum(axis=-1)
    n = nc.sum(axis=-1)
    d = distances(metric, nc, values) if delta is None else delta
    observed = (o * d).sum(axis=(-2, -1))
    expected = (nc[..., :, None] * nc[..., None, :] * d).sum(axis=(-2, -1))
    ok = (n >= 2) & (expected > _EPS * np.maximum(n, 1.0) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = 1.0 - (n - 1.0) * observed / expected
    return np.where(ok, result, np.nan)


def alpha_reason(o: np.ndarray) -> str | None:
    """Why alpha is undefined for the coincidence matrix ``o``, or None when it is defined."""
    n = o.sum()
    if n < 2:
        return "no unit has ratings from two annotators"
    if np.count_nonzero(o.sum(axis=1) > _EPS) < 2:
        return "every rating has the same value, so there is no variation to agree on"
    return None


def krippendorff_alpha(codes: np.ndarray, n_categories: int, metric: Metric = "nominal",
                       values: Sequence[float] | np.ndarray | None = None) -> float | None:
    """Alpha of a (coders, units) reliability matrix; None when undefined (see alpha_reason).

    For ordinal, code order is scale order; for interval, ``values[c]`` is category c's value.
    """
    n_coders = np.asarray(codes).shape[0]
    o = (coincidences_from_codes(codes, n_categories)
         if n_coders * (n_coders - 1) <= n_categories * n_categories
         else coincidences(unit_counts(codes, n_categories)))
    a = float(alpha_from_coincidences(o, metric, values))
    return None if np.isnan(a) else a
