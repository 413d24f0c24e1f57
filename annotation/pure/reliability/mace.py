"""MACE: Multi-Annotator Competence Estimation, EM variant (Hovy et al. 2013).

Hovy, D., Berg-Kirkpatrick, T., Vaswani, A. and Hovy, E. (2013), "Learning Whom to Trust
with MACE", NAACL-HLT, 1120-1130. Each item's true class is uniform over the K classes. On
each item, annotator a either knows (probability ``competence[a]``) and gives the true
class, or spams and draws a class from ``spamming[a]``; so
p(r | true c) = competence[a] [r = c] + (1 - competence[a]) spamming[a, r].

EM as in the paper: the E-step gives each item's posterior and, for each rating, the
probability that it was not spam; the M-step turns their sums into competence and spamming
distributions after adding ``smoothing`` to every fractional count: knowing and spamming
for the competence, each class for the spamming distribution. The default is crowd-kit's,
0.01 / K; it amounts to a Beta(1 + s, 1 + s) prior on competence and a Dirichlet(1 + s)
prior on spamming, so no probability is 0 and no log is -inf. The paper's variational-Bayes
variant (Beta and Dirichlet priors) is not implemented.

Restarts: the first run starts from the majority vote (each item's vote shares, the
agreement of each annotator with them as competence, and the annotator's own label
distribution as spamming); the others from random parameters drawn as crowd-kit does
(uniform on [1, 1.5], normalised) with ``numpy.random.default_rng(seed)``. The run with the
highest log-likelihood wins (the earliest on a tie), so the result depends only on the
ratings and the seed.
"""

from dataclasses import dataclass

import numpy as np

from annotation.pure.reliability.ratings import (
    TINY,
    check_codes,
    degenerate_reason,
    most_probable,
    normalise_log,
    rated_items,
    rater_index,
    undefined,
    vote_shares,
    weighted,
)


@dataclass(frozen=True)
class MaceResult:
    posterior: np.ndarray  # (items, K); NaN rows for items nobody rated
    competence: np.ndarray  # (annotators,) p(not spamming); NaN if the annotator rated nothing
    spamming: np.ndarray  # (annotators, K) the label distribution when spamming
    iterations: int  # of the winning run
    converged: bool
    log_likelihood: float | None
    reason: str | None = None

    @property
    def labels(self) -> np.ndarray:
        return most_probable(self.posterior)


@dataclass(frozen=True)
class _Ratings:
    """The ratings as flat arrays, one entry per rating."""

    item: np.ndarray
    given: np.ndarray  # the class given
    who: np.ndarray  # the annotator
    n_items: int
    n: int  # annotators
    k: int
    weight: np.ndarray  # per rating: how many items its item stands for (compress)
    item_weight: np.ndarray  # per item


def ratings_of(codes: np.ndarray, who: np.ndarray, n: int, k: int,
               weights: np.ndarray | None = None) -> _Ratings:
    rows, items = np.nonzero(codes >= 0)
    per_item = np.ones(codes.shape[1]) if weights is None else weights
    return _Ratings(items, codes[rows, items], who[rows], codes.shape[1], n, k,
                    per_item[items], per_item)


def e_step(d: _Ratings, competence: np.ndarray, spamming: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, float]:
    """(posterior (items, K), p(not spam) per rating, log-likelihood).

    log p(rating | true c) is log(spam) for c other than the class given, and
    log(spam + competence) = log(spam) + log1p(competence / spam) for the class given.
    """
    theta = competence[d.who]
    spam = np.maximum((1.0 - theta) * spamming[d.who, d.given], TINY)
    log_joint = np.bincount(d.item, weights=np.log(spam), minlength=d.n_items)[:, None]
    log_joint = log_joint + np.bincount(d.item * d.k + d.given, weights=np.log1p(theta / spam),
                                        minlength=d.n_items * d.k).reshape(d.n_items, d.k)
    posterior, ll = normalise_log(log_joint - np.log(d.k), d.item_weight)
    return posterior, posterior[d.item, d.given] * theta / (theta + spam), ll


def m_step(d: _Ratings, knowing: np.ndarray, smoothing: float
           ) -> tuple[np.ndarray, np.ndarray]:
    knowing, spamming = knowing * d.weight, (1.0 - knowing) * d.weight
    know = np.bincount(d.who, weights=knowing, minlength=d.n) + smoothing
    spam = np.bincount(d.who, weights=spamming, minlength=d.n) + smoothing
    by_label = np.bincount(d.who * d.k + d.given, weights=spamming,
                           minlength=d.n * d.k).reshape(d.n, d.k) + smoothing
    return know / (know + spam), by_label / by_label.sum(axis=1, keepdims=True)


def majority_start(d: _Ratings, codes: np.ndarray, smoothing: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Competence = agreement with the vote shares; spamming = the annotator's label mix."""
    agree = vote_shares(codes, d.k)[d.item, d.given] * d.weight
    ratings = np.bincount(d.who, weights=d.weight, minlength=d.n)
    competence = ((np.bincount(d.who, weights=agree, minlength=d.n) + smoothing)
                  / (ratings + 2 * smoothing))
    mix = np.bincount(d.who * d.k + d.given, weights=d.weight,
                      minlength=d.n * d.k).reshape(d.n, d.k) + smoothing
    return competence, mix / mix.sum(axis=1, keepdims=True)


def random_start(rng: np.random.Generator, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    pair = rng.uniform(1.0, 1.5, size=(n, 2))
    mix = rng.uniform(1.0, 1.5, size=(n, k))
    return pair[:, 0] / pair.sum(axis=1), mix / mix.sum(axis=1, keepdims=True)


def run(d: _Ratings, competence: np.ndarray, spamming: np.ndarray, max_iter: int, tol: float,
        smoothing: float) -> tuple[MaceResult, float]:
    posterior, knowing, ll = e_step(d, competence, spamming)
    it, converged = 0, False
    while it < max_iter:
        it += 1
        competence, spamming = m_step(d, knowing, smoothing)
        new, knowing, ll = e_step(d, competence, spamming)
        moved = float(np.abs(new - posterior).max())
        posterior = new
        if moved < tol:
            converged = True
            break
    return MaceResult(posterior, competence, spamming, it, converged, ll), ll


def mace(codes: np.ndarray, k: int, *, max_iter: int = 50, tol: float = 1e-6, seed: int = 0,
         restarts: int = 10, smoothing: float | None = None,
         raters: np.ndarray | None = None, weights: np.ndarray | None = None) -> MaceResult:
    """Fit MACE to (rows, items) label codes; ``smoothing`` defaults to 0.01 / K.
    `weights` as for dawid_skene."""
    codes = check_codes(codes, k)
    who, n = rater_index(raters, codes.shape[0])
    reason = degenerate_reason(codes, k, who, n, weights)
    if reason is not None:
        return MaceResult(undefined((codes.shape[1], k)), undefined((n,)), undefined((n, k)),
                          0, False, None, reason)
    s = 0.01 / k if smoothing is None else smoothing
    seen = np.asarray((codes >= 0).any(axis=0))
    sub, pattern_of, weights = weighted(codes, seen, weights)
    d = ratings_of(sub, who, n, k, weights)
    rng = np.random.default_rng(seed)
    best, best_ll = run(d, *majority_start(d, sub, s), max_iter, tol, s)
    for _ in range(max(restarts, 1) - 1):
        result, ll = run(d, *random_start(rng, n, k), max_iter, tol, s)
        if ll > best_ll:
            best, best_ll = result, ll
    posterior = undefined((codes.shape[1], k))
    posterior[seen] = best.posterior[pattern_of]
    never = rated_items(codes, who, n) == 0
    competence, spamming = best.competence.copy(), best.spamming.copy()
    competence[never], spamming[never] = np.nan, np.nan
    return MaceResult(posterior, competence, spamming, best.iterations, best.converged, best_ll)
