"""Seeded synthetic ratings with known confusion matrices, and crowd-kit's input format."""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd


def confusions(accuracies: list[float], k: int) -> np.ndarray:
    """(annotators, K, K): right with the given probability, else a uniformly wrong class."""
    acc = np.asarray(accuracies)[:, None, None]
    eye = np.eye(k)[None]
    return acc * eye + (1.0 - acc) * (1.0 - eye) / (k - 1)


def simulate(confusion: np.ndarray, n_items: int, seed: int, *, priors: np.ndarray | None = None,
             missing: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(codes (annotators, items), truth (items,)) drawn from a Dawid-Skene model."""
    rng = np.random.default_rng(seed)
    n, k, _ = confusion.shape
    truth = rng.choice(k, size=n_items, p=priors)
    cum = confusion[:, truth].cumsum(axis=2)  # (annotators, items, K)
    codes = (rng.random((n, n_items, 1)) > cum).sum(axis=2)
    codes = np.minimum(codes, k - 1)
    codes[rng.random(codes.shape) < missing] = -1
    return codes, truth


def with_spammer(competence: list[float], n_items: int, k: int, seed: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """MACE's model: annotator a knows the truth with probability competence[a], else answers
    uniformly at random; competence 0 is a spammer."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(k, size=n_items)
    knows = rng.random((len(competence), n_items)) < np.asarray(competence)[:, None]
    return np.where(knows, truth, rng.integers(k, size=(len(competence), n_items))), truth


def frame(codes: np.ndarray, raters: np.ndarray | None = None) -> pd.DataFrame:
    """crowd-kit's long format (task, worker, label), sorted by worker then label.

    crowd-kit 1.4.2's MACE numbers workers and labels in order of first appearance but reads
    some of its per-label arrays in sorted order; with this ordering the two coincide.
    """
    who = np.arange(codes.shape[0]) if raters is None else np.asarray(raters)
    rows, items = np.nonzero(codes >= 0)
    df = pd.DataFrame({"task": items, "worker": who[rows], "label": codes[rows, items]})
    return df.sort_values(["worker", "label", "task"], kind="stable").reset_index(drop=True)


def proba(probas: pd.DataFrame, n_items: int, k: int) -> np.ndarray:
    """crowd-kit's (task x label) posteriors as an (items, K) array, NaN for absent tasks."""
    return probas.reindex(index=range(n_items), columns=range(k)).to_numpy(dtype=np.float64)


@contextmanager
def quiet() -> Iterator[None]:
    """crowd-kit 1.4.2 on pandas 3 warns about its inplace= calls on every iteration."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
