"""MACE against crowd-kit's MACE (method="em"), and recovery of the truth past a spammer."""

import numpy as np
import pytest
from crowdkit.aggregation import MACE

from annotation.pure.reliability import mace, majority_vote
from tests.annotation.pure.reliability.synthetic import frame, proba, quiet, with_spammer

GOOD_AND_SPAMMER = [0.9, 0.8, 0.7, 0.0]  # p(knows the truth); the last one always guesses


def crowd_kit(codes, k, iterations=50):
    """crowd-kit's EM MACE: the same model and smoothing (0.01 / K), but one random start
    (its restarts all reuse one random_state, so more would repeat it)."""
    with quiet():
        m = MACE(method="em", n_restarts=1, n_iter=iterations, random_state=0).fit(frame(codes))
    return proba(m.probas_, codes.shape[1], k), m.spamming_[:, 1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agrees_with_crowd_kit_and_both_find_the_spammer(seed):
    """Competences within 0.01 (0.003 seen), labels equal on 99% of items (100% seen)."""
    codes, _ = with_spammer(GOOD_AND_SPAMMER, 1000, 4, seed)
    ck_posterior, ck_competence = crowd_kit(codes, 4)
    ours = mace(codes, 4)
    assert np.argmin(ours.competence) == np.argmin(ck_competence) == 3
    assert ours.competence == pytest.approx(ck_competence, abs=0.01)
    assert (ours.labels == ck_posterior.argmax(axis=1)).mean() >= 0.99


def test_same_optimum_as_crowd_kit_when_both_run_long():
    """Different starts, same maximum: after 200 iterations within 1e-5 (1.5e-7 seen)."""
    codes, _ = with_spammer(GOOD_AND_SPAMMER, 1000, 4, 0)
    ck_posterior, ck_competence = crowd_kit(codes, 4, iterations=200)
    ours = mace(codes, 4, max_iter=200, tol=0.0, restarts=1)
    assert ours.posterior == pytest.approx(ck_posterior, abs=1e-5)
    assert ours.competence == pytest.approx(ck_competence, abs=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_recovers_the_truth_past_a_spammer(seed):
    codes, truth = with_spammer(GOOD_AND_SPAMMER, 1000, 4, seed)
    r = mace(codes, 4)
    assert (r.labels == truth).mean() >= 0.95
    assert (r.labels == truth).mean() >= (majority_vote(codes, 4).argmax(axis=1) == truth).mean()
    assert r.competence[:3] == pytest.approx(GOOD_AND_SPAMMER[:3], abs=0.05)
    assert r.competence[3] < 0.05


def test_a_spammer_who_always_gives_one_label():
    """Started from the majority vote, it is not mistaken for the one who knows."""
    codes, truth = with_spammer(GOOD_AND_SPAMMER, 1000, 4, 1)
    codes[3] = 0
    r = mace(codes, 4)
    assert np.argmin(r.competence) == 3
    assert r.spamming[3, 0] > 0.95
    assert (r.labels == truth).mean() >= 0.95


def test_spamming_rows_are_distributions_and_results_repeat_with_the_seed():
    codes, _ = with_spammer(GOOD_AND_SPAMMER, 300, 3, 5)
    a, b = mace(codes, 3, seed=4), mace(codes, 3, seed=4)
    assert a.spamming.sum(axis=1) == pytest.approx(np.ones(4))
    assert np.array_equal(a.posterior, b.posterior)
    assert np.array_equal(a.competence, b.competence)
    assert a.log_likelihood >= mace(codes, 3, restarts=1).log_likelihood


def test_unrated_items_and_idle_annotators_are_nan():
    codes, _ = with_spammer(GOOD_AND_SPAMMER, 200, 3, 6)
    codes[:, :5] = -1
    codes[2] = -1
    r = mace(codes, 3)
    assert r.reason is None
    assert np.isnan(r.posterior[:5]).all()
    assert np.isfinite(r.posterior[5:]).all()
    assert np.isnan(r.competence[2])
    assert np.isnan(r.spamming[2]).all()
