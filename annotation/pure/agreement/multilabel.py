"""Multi-label judgements: each rating is a set of labels.

Each distinct set used in the data becomes one category code, so the categorical machinery
applies unchanged (exact-set agreement), and Krippendorff's alpha takes the MASI distance
(Passonneau 2006) between the sets as its delta matrix, as nltk's AnnotationTask does.
"""

from collections.abc import Iterable, Sequence

import numpy as np


def set_membership(sets: Sequence[Iterable[int]], n_labels: int) -> np.ndarray:
    """(sets, labels) bool: which labels each distinct set holds."""
    out = np.zeros((len(sets), n_labels), dtype=bool)
    for i, s in enumerate(sets):  # one row per distinct set, not per item
        out[i, list(s)] = True
    return out


def masi_distances(membership: np.ndarray) -> np.ndarray:
    """(S, S) MASI distances 1 - J * M between the distinct sets of ``membership`` (S, L).

    J is the Jaccard index; M is 1 for equal sets, 2/3 when one contains the other, 1/3 when
    they only intersect, 0 when disjoint. Two empty sets are at distance 0.
    """
    m = membership.astype(np.int64)
    inter = (m @ m.T).astype(np.float64)
    size = m.sum(axis=1).astype(np.float64)
    union = size[:, None] + size[None, :] - inter
    smaller = np.minimum(size[:, None], size[None, :])
    equal = (inter == size[:, None]) & (inter == size[None, :])
    monotone = np.where(equal, 1.0, np.where(inter == smaller, 2.0 / 3.0,
                                              np.where(inter > 0, 1.0 / 3.0, 0.0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.where(union > 0, inter / union, 1.0)
    return 1.0 - jaccard * monotone


def member_codes(codes: np.ndarray, membership: np.ndarray, label: int) -> np.ndarray:
    """One label's binary reliability matrix: 1 if the rated set holds it, 0 if not, -1 missing."""
    holds = membership[:, label].astype(np.int64)
    if not holds.size:  # no set was rated at all
        return np.full_like(codes, -1)
    return np.where(codes >= 0, holds[np.maximum(codes, 0)], -1)
