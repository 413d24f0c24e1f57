"""Dawid-Skene and the majority vote: against crowd-kit, and recovery of known parameters."""

import numpy as np
import pytest
from crowdkit.aggregation import DawidSkene

from annotation.pure.reliability import dawid_skene, expected_accuracy, majority_vote
from annotation.pure.reliability.ratings import vote_shares
from tests.annotation.pure.reliability.synthetic import frame, proba, quiet, simulate

CONF = np.array([  # [annotator, true class, class given]
    [[0.90, 0.05, 0.05], [0.10, 0.80, 0.10], [0.05, 0.15, 0.80]],
    [[0.70, 0.20, 0.10], [0.20, 0.70, 0.10], [0.10, 0.10, 0.80]],
    [[0.60, 0.30, 0.10], [0.05, 0.90, 0.05], [0.30, 0.20, 0.50]],
    [[0.50, 0.25, 0.25], [0.25, 0.50, 0.25], [0.25, 0.25, 0.50]],
])
PRIORS = np.array([0.5, 0.3, 0.2])


def test_majority_vote_splits_ties_and_leaves_unrated_items_nan():
    codes = np.array([[0, 1, 2, -1, 0],
                      [0, 2, 2, -1, -1],
                      [1, -1, 0, -1, -1]])
    mv = majority_vote(codes, 3)
    assert mv[0].tolist() == [1.0, 0.0, 0.0]
    assert mv[1].tolist() == [0.0, 0.5, 0.5]
    assert mv[2].tolist() == [0.0, 0.0, 1.0]
    assert np.isnan(mv[3]).all()
    assert mv[4].tolist() == [1.0, 0.0, 0.0]
    assert vote_shares(codes, 3)[2] == pytest.approx([1 / 3, 0.0, 2 / 3])


def test_codes_out_of_range_are_an_error():
    with pytest.raises(ValueError, match="number of classes"):
        dawid_skene(np.array([[0, 3], [1, 1]]), 3)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("iterations", [3, 30])
def test_same_as_crowd_kit_after_the_same_iterations(seed, iterations):
    """Same start (vote shares), same steps, no smoothing: equal to rounding (1e-10)."""
    codes, _ = simulate(CONF, 1500, seed, priors=PRIORS, missing=0.15)
    with quiet():
        ck = DawidSkene(n_iter=iterations, tol=-np.inf).fit(frame(codes))
    ours = dawid_skene(codes, 3, smoothing=0.0, max_iter=iterations, tol=0.0)
    rated = (codes >= 0).any(axis=0)
    assert np.isnan(ours.posterior[~rated]).all()
    assert proba(ck.probas_, 1500, 3)[rated] == pytest.approx(ours.posterior[rated], abs=1e-10)
    assert ck.priors_.reindex(range(3)).to_numpy() == pytest.approx(ours.priors, abs=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_defaults_agree_with_crowd_kit_defaults(seed):
    """Ours: smoothing 0.01, stop when no posterior moves by 1e-6 (or 100 iterations);
    crowd-kit: no smoothing, stop when its loss gains less than 1e-5. The posteriors then
    differ by at most 0.02 (0.005 seen) and the labels agree on 99.5% of items (100% seen)."""
    codes, _ = simulate(CONF, 1500, seed, priors=PRIORS, missing=0.15)
    with quiet():
        ck = proba(DawidSkene().fit(frame(codes)).probas_, 1500, 3)
    ours = dawid_skene(codes, 3)
    rated = (codes >= 0).any(axis=0)
    assert np.abs(ck[rated] - ours.posterior[rated]).max() < 0.02
    assert (ck[rated].argmax(axis=1) == ours.labels[rated]).mean() >= 0.995


def test_recovers_the_generating_parameters():
    codes, truth = simulate(CONF, 20000, 7, priors=PRIORS)
    r = dawid_skene(codes, 3)
    assert r.confusion == pytest.approx(CONF, abs=0.035)
    assert r.priors == pytest.approx(PRIORS, abs=0.02)
    assert (r.labels == truth).mean() > (majority_vote(codes, 3).argmax(axis=1) == truth).mean()
    true_accuracy = (PRIORS[None] * np.diagonal(CONF, axis1=1, axis2=2)).sum(axis=1)
    assert expected_accuracy(r) == pytest.approx(true_accuracy, abs=0.02)


def test_confusion_rows_are_distributions_and_smoothing_avoids_zeros():
    codes, _ = simulate(CONF, 300, 3, priors=PRIORS)
    codes[0, codes[0] == 2] = 1  # annotator 0 never says 2
    r = dawid_skene(codes, 3)
    assert r.confusion.sum(axis=2) == pytest.approx(np.ones((4, 3)))
    assert (r.confusion > 0).all()
    assert r.confusion[0, :, 2].max() < 0.01
    assert np.isfinite(r.log_likelihood)


def test_an_annotator_who_rated_nothing_gets_nan_not_a_guess():
    codes, _ = simulate(CONF, 300, 4, priors=PRIORS)
    codes[3] = -1
    r = dawid_skene(codes, 3)
    assert r.reason is None
    assert np.isnan(r.confusion[3]).all()
    assert np.isfinite(r.confusion[:3]).all()
    assert np.isnan(expected_accuracy(r)[3])


def test_repeated_ratings_share_one_matrix():
    codes, _ = simulate(CONF[[0, 0, 1, 2]], 500, 5, priors=PRIORS)
    r = dawid_skene(codes, 3, raters=np.array([0, 0, 1, 2]))
    assert r.confusion.shape == (3, 3, 3)
    with pytest.raises(ValueError, match=r"0\.\.A-1"):
        dawid_skene(codes, 3, raters=np.array([0, 0, 2, 3]))
