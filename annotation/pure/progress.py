"""Pure helpers of the progress dashboard: medians per group, agreement with the others."""

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np


def group_medians(keys: np.ndarray, values: np.ndarray) -> dict[int, float]:
    """The median of `values` for each distinct key (the mean of the two middle values of
    an even-sized group)."""
    if len(keys) == 0:
        return {}
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    ends = np.r_[starts[1:], len(k)]
    out: dict[int, float] = {}
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        mid = s + (e - s) // 2
        out[int(k[s])] = float(v[mid]) if (e - s) % 2 else float((v[mid - 1] + v[mid]) / 2)
    return out


def agreement_with_others(pairs: Iterable[Mapping[str, Any]] | None, name: str
                          ) -> float | None:
    """The mean of the defined pairwise values (an agreement report's `pairs`) of the pairs
    that include `name`; None when there is none."""
    values = [p["value"] for p in pairs or () if name in (p.get("a"), p.get("b"))
              and isinstance(p.get("value"), int | float)]
    return sum(values) / len(values) if values else None
