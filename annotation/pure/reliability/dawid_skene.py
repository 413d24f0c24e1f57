"""Dawid & Skene (1979): one confusion matrix per annotator, fitted by EM.

Dawid, A. P. and Skene, A. M. (1979), "Maximum likelihood estimation of observer error-rates
using the EM algorithm", Applied Statistics 28(1), 20-28. Each item has a true class drawn
from ``priors``; annotator a, given true class c, answers r with probability
``confusion[a, c, r]``, independently of the others. EM alternates the M-step (priors and
confusion matrices from the current posteriors) and the E-step (posteriors from them).

EM starts, as in the paper (and crowd-kit), from the soft majority vote: each item's vote
shares (``vote_shares``). ``init="majority"`` starts from ``majority_vote`` (the winning
class, ties split) instead. The likelihood has several local maxima: on the paper's data
the two starts end in different ones (log-likelihood -192.89 and -193.97).

Smoothing: the M-step adds ``smoothing`` pseudo-counts (default 0.01) to every cell of every
confusion matrix and to every class count before normalising, i.e. it finds the posterior
mode under a symmetric Dirichlet(1 + smoothing) prior on each confusion row and on the class
priors. A class an annotator never gave thus keeps a small positive probability instead of
a log(0); each probability moves by at most K * smoothing / n, n the (expected) number of
items of that true class the annotator rated. ``smoothing=0`` is the paper's plain maximum
likelihood (zero probabilities are then floored at 1e-300 before the log).
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np

from annotation.pure.reliability.ratings import (
    TINY,
    check_codes,
    degenerate_reason,
    group_sum,
    majority_vote,
    most_probable,
    normalise_log,
    one_hot,
    rated_items,
    rater_index,
    undefined,
    vote_shares,
    weighted,
)

SMOOTHING = 0.01


@dataclass(frozen=True)
class DawidSkeneResult:
    posterior: np.ndarray  # (items, K); NaN rows for items nobody rated
    priors: np.ndarray  # (K,) class prevalence
    confusion: np.ndarray  # (annotators, K true, K given), rows sum to 1; NaN if never rated
    iterations: int
    converged: bool
    log_likelihood: float | None  # log p(ratings) at the last E-step
    reason: str | None = None  # why nothing was estimated

    @property
    def labels(self) -> np.ndarray:
        return most_probable(self.posterior)


def m_step(y: np.ndarray, posterior: np.ndarray, raters: np.ndarray, n: int,
           smoothing: float, weights: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """(priors, confusion) from one-hot ratings y (rows, items, K) and posteriors (items, K),
    each item counted `weights` times (compress; once each by default).

    A confusion row with no mass at all (smoothing 0, a class the annotator never met) is
    uniform: it then says nothing about that annotator's items.
    """
    k = posterior.shape[1]
    mass = posterior if weights is None else posterior * weights[:, None]
    counts = group_sum(np.matmul(mass.T[None], y), raters, n) + smoothing
    totals = counts.sum(axis=2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        confusion = np.where(totals > 0, counts / totals, 1.0 / k)
    classes = mass.sum(axis=0) + smoothing
    return classes / classes.sum(), confusion


def e_step(y: np.ndarray, priors: np.ndarray, confusion: np.ndarray,
           raters: np.ndarray, weights: np.ndarray | None = None
           ) -> tuple[np.ndarray, float]:
    """Posteriors (items, K) and the log-likelihood of the ratings."""
    log_conf = np.log(np.maximum(confusion, TINY))[raters]  # (rows, K true, K given)
    log_joint = np.matmul(y, log_conf.transpose(0, 2, 1)).sum(axis=0)
    return normalise_log(log_joint + np.log(np.maximum(priors, TINY)), weights)


def dawid_skene(codes: np.ndarray, k: int, *, max_iter: int = 100, tol: float = 1e-6,
                smoothing: float = SMOOTHING, raters: np.ndarray | None = None,
                init: Literal["votes", "majority"] = "votes",
                weights: np.ndarray | None = None) -> DawidSkeneResult:
    """Fit the model to (rows, items) label codes; converged when no posterior moves by tol.
    `weights`: the columns are rating patterns, each standing for that many items (compress;
    the bootstrap draws them); by default each column is one item."""
    codes = check_codes(codes, k)
    who, n = rater_index(raters, codes.shape[0])
    reason = degenerate_reason(codes, k, who, n, weights)
    if reason is not None:
        return DawidSkeneResult(undefined((codes.shape[1], k)), undefined((k,)),
                                undefined((n, k, k)), 0, False, None, reason)
    seen = np.asarray((codes >= 0).any(axis=0))
    patterns, pattern_of, weights = weighted(codes, seen, weights)
    y = one_hot(patterns, k)
    q = (vote_shares if init == "votes" else majority_vote)(patterns, k)
    priors, confusion = m_step(y, q, who, n, smoothing, weights)
    converged, ll, it = False, 0.0, 0
    while it < max_iter:
        it += 1
        q_new, ll = e_step(y, priors, confusion, who, weights)
        priors, confusion = m_step(y, q_new, who, n, smoothing, weights)
        moved = float(np.abs(q_new - q).max())
        q = q_new
        if moved < tol:
            converged = True
            break
    posterior = undefined((codes.shape[1], k))
    posterior[seen] = q[pattern_of]
    confusion[rated_items(codes, who, n) == 0] = np.nan
    return DawidSkeneResult(posterior, priors, confusion, it, converged,
                            ll if it else None)


def expected_accuracy(result: DawidSkeneResult) -> np.ndarray:
    """(annotators,) sum_k priors[k] * confusion[a, k, k]: the chance a rating is right."""
    return np.asarray((result.priors[None, :]
                       * np.diagonal(result.confusion, axis1=1, axis2=2)).sum(axis=1))
