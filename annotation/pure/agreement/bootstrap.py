"""Percentile bootstrap over documents, vectorized.

A replicate resamples the D documents with replacement; it is represented by how many times
each document was drawn, a weight vector. Every statistic here is a function of per-document
sufficient statistics summed over documents (coincidence contributions, confusion cells,
matched/total counts), so a block of replicates is one matrix product ``W @ S`` followed by
the statistic evaluated on all replicates at once.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

Statistic = Callable[[np.ndarray], np.ndarray]  # (b, D) weights -> (b,) values, NaN undefined


@dataclass(frozen=True)
class Interval:
    low: float | None
    high: float | None
    level: float
    replicates: int  # replicates where the statistic was defined

    def as_dict(self) -> dict[str, float | int | None]:
        return {"low": self.low, "high": self.high, "level": self.level,
                "replicates": self.replicates}


def resample_weights(n_docs: int, replicates: int, seed: int,
                     block_cells: int = 2_000_000) -> Iterator[np.ndarray]:
    """Blocks of (b, n_docs) float64 draw counts; the same seed gives the same replicates."""
    rng = np.random.default_rng(seed)
    per_block = max(1, block_cells // max(n_docs, 1))
    done = 0
    while done < replicates:
        b = min(per_block, replicates - done)
        idx = rng.integers(0, n_docs, size=(b, n_docs))
        idx += (np.arange(b, dtype=np.int64) * n_docs)[:, None]
        counts = np.bincount(idx.ravel(), minlength=b * n_docs)
        yield counts.reshape(b, n_docs).astype(np.float64)
        done += b


class Grouper:
    """Sums replicate weights by cell: ``weights @ one_hot(cells)`` without the one-hot matrix.

    Cells < 0 are dropped. The sort is done once; each block of replicates is one gather and
    one ``np.add.reduceat``.
    """

    def __init__(self, cells: np.ndarray, n_cells: int, dense_cells: int = 32) -> None:
        valid = np.nonzero(cells >= 0)[0]
        self.order = valid[np.argsort(cells[valid], kind="stable")]
        sorted_cells = cells[self.order]
        self.starts = (np.concatenate([[0], np.nonzero(np.diff(sorted_cells))[0] + 1])
                       if valid.size else np.zeros(0, dtype=np.int64))
        self.targets = sorted_cells[self.starts] if valid.size else self.starts
        self.n_cells = n_cells
        self.one_hot: np.ndarray | None = None
        if n_cells <= dense_cells:  # few cells: a BLAS product beats the gather
            self.one_hot = np.zeros((len(cells), n_cells))
            self.one_hot[valid, cells[valid]] = 1.0

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        if self.one_hot is not None:
            return np.asarray(weights @ self.one_hot)
        out = np.zeros((weights.shape[0], self.n_cells))
        if self.order.size:
            out[:, self.targets] = np.add.reduceat(weights[:, self.order], self.starts, axis=1)
        return out


def grouped_sums(weights: np.ndarray, cells: np.ndarray, n_cells: int,
                 dense_cells: int = 32) -> np.ndarray:
    """(b, n_cells): for each replicate, the weights summed by cell; cells < 0 are dropped."""
    return Grouper(cells, n_cells, dense_cells)(weights)


def percentile_interval(samples: np.ndarray, level: float) -> Interval:
    defined = samples[~np.isnan(samples)]
    if defined.size < 2:
        return Interval(None, None, level, int(defined.size))
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(defined, [tail, 100.0 - tail])
    return Interval(float(low), float(high), level, int(defined.size))


def bootstrap(statistics: Mapping[str, Statistic], n_docs: int, replicates: int = 1000,
              seed: int = 0, level: float = 0.95) -> dict[str, Interval]:
    """Percentile intervals of several statistics, all evaluated on the same replicates."""
    if n_docs == 0 or replicates <= 0 or not statistics:
        return {name: Interval(None, None, level, 0) for name in statistics}
    samples: dict[str, list[np.ndarray]] = {name: [] for name in statistics}
    for w in resample_weights(n_docs, replicates, seed):
        for name, stat in statistics.items():
            samples[name].append(np.asarray(stat(w), dtype=np.float64))
    return {name: percentile_interval(np.concatenate(s), level) for name, s in samples.items()}
