"""Agreement on one categorical judgement per unit (sentiment, any document label).

Input is a reliability matrix of shape (coders, units) holding category codes 0..K-1, with
a negative code for a missing rating (see alpha.unit_counts); ``counts`` is its
(units, K) form. Functions on confusion matrices broadcast over leading axes.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from annotation.pure.agreement.alpha import unit_counts

_EPS = 1e-12


def percent_agreement(counts: np.ndarray) -> tuple[float | None, int]:
    """Mean, over units with at least two ratings, of the share of agreeing rating pairs.

    A unit rated by m coders has m(m-1)/2 pairs of ratings; it contributes the fraction of
    them that agree (sum_c n_c(n_c-1) / m(m-1)). Returns (value, units); None with no units.
    """
    m = counts.sum(axis=1)
    keep = m >= 2
    if not keep.any():
        return None, 0
    c = counts[keep].astype(np.float64)
    mk = m[keep].astype(np.float64)
    per_unit = (c * (c - 1.0)).sum(axis=1) / (mk * (mk - 1.0))
    return float(per_unit.mean()), int(keep.sum())


def unit_agreement(counts: np.ndarray) -> np.ndarray:
    """Per unit, the share of agreeing rating pairs; NaN for units with fewer than two ratings."""
    c = counts.astype(np.float64)
    m = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(m >= 2, (c * (c - 1.0)).sum(axis=1) / (m * (m - 1.0)), np.nan)


def pair_cells(codes: np.ndarray, i: int, j: int, n_categories: int) -> np.ndarray:
    """Per unit, the confusion cell code_i * K + code_j, or -1 where either rating is missing."""
    a, b = codes[i], codes[j]
    both = (a >= 0) & (b >= 0)
    return np.where(both, a * n_categories + b, -1).astype(np.int64)


def confusion(cells: np.ndarray, n_categories: int,
              weights: np.ndarray | None = None) -> np.ndarray:
    """The (K, K) confusion matrix from ``pair_cells`` (optionally weighted per unit)."""
    ok = cells >= 0
    w = None if weights is None else weights[ok]
    flat = np.bincount(cells[ok], weights=w, minlength=n_categories * n_categories)
    return flat.reshape(n_categories, n_categories).astype(np.float64)


def kappa_from_confusion(conf: np.ndarray) -> np.ndarray:
    """Cohen's kappa (p_o - p_e) / (1 - p_e) over the leading axes; NaN where undefined.

    Undefined: no shared units, or p_e = 1 (both coders used one and the same category).
    """
    n = conf.sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        po = np.trace(conf, axis1=-2, axis2=-1) / n
        pe = (conf.sum(axis=-1) * conf.sum(axis=-2)).sum(axis=-1) / (n * n)
        kappa = (po - pe) / (1.0 - pe)
    return np.where((n > 0) & (1.0 - pe > _EPS), kappa, np.nan)


def kappa_reason(conf: np.ndarray) -> str | None:
    if conf.sum() == 0:
        return "the two annotators share no rated item"
    k = kappa_from_confusion(conf)
    if np.isnan(k):
        return "both annotators gave every shared item the same single category"
    return None


@dataclass
class PairKappa:
    a: int
    b: int
    value: float | None
    items: int
    reason: str | None


def pairwise_kappa(codes: np.ndarray, n_categories: int) -> list[PairKappa]:
    """Cohen's kappa for every coder pair (i < j) over the units both rated."""
    out = []
    for i, j in itertools.combinations(range(codes.shape[0]), 2):
        conf = confusion(pair_cells(codes, i, j, n_categories), n_categories)
        k = float(kappa_from_confusion(conf))
        out.append(PairKappa(i, j, None if np.isnan(k) else k, int(conf.sum()),
                             kappa_reason(conf)))
    return out


def fleiss_kappa(counts: np.ndarray) -> tuple[float | None, int, str | None]:
    """Fleiss' kappa over units with at least two ratings: (value, units, note).

    Fleiss' kappa assumes every unit has the same number of ratings. When they differ it is
    computed over the units that have the largest number of ratings only, and the note says
    so; value None with a reason when undefined.
    """
    m = counts.sum(axis=1)
    keep = m >= 2
    if not keep.any():
        return None, 0, "no unit has ratings from two annotators"
    note = None
    if len(np.unique(m[keep])) > 1:
        full = int(m.max())
        total = int(keep.sum())
        keep = m == full
        note = (f"units have unequal numbers of ratings: Fleiss' kappa is computed over the "
                f"{int(keep.sum())} of {total} units rated by {full} annotators")
        if keep.sum() < 2:
            return None, int(keep.sum()), note + ", too few to compute it"
    c = counts[keep].astype(np.float64)
    n_units, raters = len(c), float(c[0].sum())
    p_unit = ((c * c).sum(axis=1) - raters) / (raters * (raters - 1.0))
    p_cat = c.sum(axis=0) / (n_units * raters)
    p_bar, p_e = p_unit.mean(), float((p_cat * p_cat).sum())
    if 1.0 - p_e <= _EPS:
        why = "every rating has the same category, so chance agreement is 1"
        return None, n_units, f"{note}; {why}" if note else why
    return float((p_bar - p_e) / (1.0 - p_e)), n_units, note


def pooled_confusion(counts: np.ndarray) -> np.ndarray:
    """Symmetric confusion over all ordered pairs of distinct coders on each shared unit.

    Cell (c, k) counts the ordered pairs (i, j), i != j, where coder i said c and coder j said
    k, so an unordered pair that agrees adds 2 to the diagonal and one that disagrees adds 1 to
    both (c, k) and (k, c); the total is twice the number of unordered rating pairs.
    """
    c = counts.astype(np.int64)
    out = c.T @ c
    out[np.diag_indices_from(out)] -= c.sum(axis=0)
    return out


def binary_codes(codes: np.ndarray, category: int) -> np.ndarray:
    """One label against the rest: 1 where the code is ``category``, 0 elsewhere, -1 missing."""
    return np.where(codes >= 0, (codes == category).astype(np.int64), -1)


def binary_counts(counts: np.ndarray, category: int) -> np.ndarray:
    """(units, 2) counts of 'not category' and 'category' from full counts."""
    hit = counts[:, category]
    return np.stack([counts.sum(axis=1) - hit, hit], axis=1)


__all__ = ["binary_codes", "binary_counts", "confusion", "fleiss_kappa", "kappa_from_confusion",
           "pair_cells", "pairwise_kappa", "percent_agreement", "pooled_confusion",
           "unit_agreement", "unit_counts"]
