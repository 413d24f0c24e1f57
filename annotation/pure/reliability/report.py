"""One reliability number per annotator, with a percentile bootstrap interval over items.

Dawid-Skene: the expected accuracy sum_k priors[k] * confusion[a, k, k], the chance that a
rating of a random item is its true class under the fitted model. MACE: the competence, the
probability that the annotator is not spamming (a spamming rating can still be right by
chance, so competence is at most the accuracy).

The bootstrap resamples the rated items with replacement (drawn as rating-pattern counts,
see bootstrap_values) and re-fits the model on each replicate, started again from the
majority vote, with ``bootstrap_iter`` EM iterations (and one MACE run, no random
restarts); the seed fixes the replicates. A replicate where an annotator rated none of the
drawn items, or where the model cannot be fitted, is left out of that annotator's interval,
and ``Interval.replicates`` says how many were used.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from annotation.pure.agreement.bootstrap import Interval, percentile_interval
from annotation.pure.agreement.section import value
from annotation.pure.reliability.dawid_skene import dawid_skene, expected_accuracy
from annotation.pure.reliability.mace import mace
from annotation.pure.reliability.ratings import check_codes, compress, rated_items, rater_index

Method = Literal["dawid_skene", "mace"]
# (codes, k, weights: how many items each column stands for, or None) -> (values, reason)
Estimator = Callable[[np.ndarray, int, np.ndarray | None], tuple[np.ndarray, str | None]]

MEASURES = {
    "dawid_skene": "expected accuracy: sum over classes of prior * p(rating = true class)",
    "mace": "competence: probability that the annotator is not spamming",
}


@dataclass(frozen=True)
class AnnotatorReliability:
    annotator: int
    value: float | None  # None when the annotator rated nothing or nothing was estimated
    items: int  # distinct items the annotator rated
    interval: Interval

    def as_dict(self) -> dict[str, Any]:
        return {"annotator": self.annotator, "value": self.value, "items": self.items,
                "interval": self.interval.as_dict()}


@dataclass(frozen=True)
class Reliability:
    method: Method
    measure: str
    annotators: list[AnnotatorReliability] = field(default_factory=list)
    reason: str | None = None  # why no value was estimated

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "measure": self.measure, "reason": self.reason,
                "annotators": [a.as_dict() for a in self.annotators]}


def estimator(method: Method, raters: np.ndarray | None, max_iter: int | None,
              restarts: int | None) -> Estimator:
    """codes, k -> ((annotators,) reliability with NaN where undefined, reason)."""
    kw: dict[str, Any] = {} if max_iter is None else {"max_iter": max_iter}

    def ds(codes: np.ndarray, k: int, weights: np.ndarray | None
           ) -> tuple[np.ndarray, str | None]:
        r = dawid_skene(codes, k, raters=raters, weights=weights, **kw)
        return expected_accuracy(r), r.reason

    def mc(codes: np.ndarray, k: int, weights: np.ndarray | None
           ) -> tuple[np.ndarray, str | None]:
        more = {} if restarts is None else {"restarts": restarts}
        r = mace(codes, k, raters=raters, weights=weights, **kw, **more)
        return r.competence, r.reason

    if method not in MEASURES:
        raise ValueError(f"unknown method {method!r}: use one of {sorted(MEASURES)}")
    return ds if method == "dawid_skene" else mc


def bootstrap_values(fit: Estimator, codes: np.ndarray, k: int, n: int, replicates: int,
                     seed: int) -> np.ndarray:
    """(replicates, annotators) reliability on item resamples; NaN where undefined.

    A resample of the rated items is drawn as the number of times each rating pattern
    comes up (a multinomial over the patterns' shares), which is the same distribution as
    drawing the items themselves, and costs per replicate the patterns, not the items."""
    patterns, _, counts = compress(codes[:, (codes >= 0).any(axis=0)])
    total = int(counts.sum())
    rng = np.random.default_rng(seed)
    out = np.full((replicates, n), np.nan)
    for b in range(replicates):
        drawn = rng.multinomial(total, counts / total).astype(np.float64)
        keep = drawn > 0
        values, _ = fit(patterns[:, keep], k, drawn[keep])
        out[b] = values
    return out


def reliability(codes: np.ndarray, k: int, *, method: Method = "dawid_skene",
                replicates: int = 200, seed: int = 0, level: float = 0.95,
                bootstrap_iter: int = 20, raters: np.ndarray | None = None) -> Reliability:
    """Per annotator: the method's reliability, the items rated, and a bootstrap interval."""
    codes = check_codes(codes, k)
    who, n = rater_index(raters, codes.shape[0])
    point, reason = estimator(method, raters, None, None)(codes, k, None)
    items = rated_items(codes, who, n)
    if reason is None and replicates > 0:
        fit = estimator(method, raters, bootstrap_iter, 1)
        samples = bootstrap_values(fit, codes, k, n, replicates, seed)
        intervals = [percentile_interval(samples[:, a], level) for a in range(n)]
    else:
        intervals = [Interval(None, None, level, 0)] * n
    rows = [AnnotatorReliability(a, value(point[a]), int(items[a]), intervals[a])
            for a in range(n)]
    return Reliability(method, MEASURES[method], rows, reason)
