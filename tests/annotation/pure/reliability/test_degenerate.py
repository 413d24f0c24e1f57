"""Degenerate ratings: NaN or None and a reason from every estimator, never a crash."""

import numpy as np
import pytest

from annotation.pure.reliability import dawid_skene, mace, majority_vote, reliability

CASES = {
    "one annotator": (np.array([[0, 1, 2, 1]]), None, "fewer than two annotators"),
    "no annotator": (np.zeros((0, 4), dtype=np.int64), None, "fewer than two annotators"),
    "two annotators, one of them idle": (np.array([[0, 1, 2, 1], [-1, -1, -1, -1]]), None,
                                         "fewer than two annotators"),
    "one person's two readings": (np.array([[0, 1, 2], [0, 1, 1]]), np.array([0, 0]),
                                  "fewer than two annotators"),
    "one rated item": (np.array([[1, -1, -1], [2, -1, -1], [1, -1, -1]]), None,
                       "fewer than two items"),
    "no item rated twice": (np.array([[0, 1, -1, -1], [-1, -1, 2, 0]]), None,
                            "no item has two ratings"),
    "nothing rated": (np.full((3, 5), -1), None, "fewer than two annotators"),
    "no items": (np.zeros((3, 0), dtype=np.int64), None, "fewer than two annotators"),
}


@pytest.mark.parametrize("name", CASES)
def test_dawid_skene(name):
    codes, raters, reason = CASES[name]
    r = dawid_skene(codes, 3, raters=raters)
    assert reason in r.reason
    assert r.posterior.shape == (codes.shape[1], 3)
    assert np.isnan(r.posterior).all()
    assert np.isnan(r.priors).all()
    assert np.isnan(r.confusion).all()
    assert (r.iterations, r.converged, r.log_likelihood) == (0, False, None)
    assert (r.labels == -1).all()


@pytest.mark.parametrize("name", CASES)
def test_mace(name):
    codes, raters, reason = CASES[name]
    r = mace(codes, 3, raters=raters)
    assert reason in r.reason
    assert np.isnan(r.posterior).all()
    assert np.isnan(r.competence).all()
    assert np.isnan(r.spamming).all()
    assert r.log_likelihood is None


@pytest.mark.parametrize("method", ["dawid_skene", "mace"])
@pytest.mark.parametrize("name", CASES)
def test_reliability(name, method):
    codes, raters, reason = CASES[name]
    r = reliability(codes, 3, method=method, replicates=10, raters=raters)
    assert reason in r.reason
    assert all(a.value is None and a.interval.low is None and a.interval.high is None
               for a in r.annotators)
    assert [a.items for a in r.annotators] == [
        int((codes[(raters if raters is not None else np.arange(len(codes))) == i] >= 0)
            .any(axis=0).sum()) for i in range(len(r.annotators))]


def test_one_class_is_degenerate():
    r = dawid_skene(np.array([[0, 0, 0], [0, 0, 0]]), 1)
    assert "fewer than two classes" in r.reason


def test_majority_vote_of_degenerate_ratings_is_still_a_vote():
    """The majority vote needs no model: one annotator's vote is their label; unrated items
    stay NaN, and an empty matrix gives no rows."""
    assert majority_vote(np.array([[0, 2, -1]]), 3)[:2].tolist() == [[1, 0, 0], [0, 0, 1]]
    assert np.isnan(majority_vote(np.array([[0, 2, -1]]), 3)[2]).all()
    assert majority_vote(np.zeros((0, 3), dtype=np.int64), 3).shape == (3, 3)
    assert majority_vote(np.zeros((2, 0), dtype=np.int64), 3).shape == (0, 3)


def test_replicates_without_an_annotators_items_are_left_out_of_their_interval():
    """Annotator 2 rated one item of six: resamples that miss it say nothing about them."""
    codes = np.array([[0, 1, 2, 0, 1, 2],
                      [0, 1, 2, 0, 2, 2],
                      [0, -1, -1, -1, -1, -1]])
    r = reliability(codes, 3, replicates=40)
    assert r.reason is None
    assert [a.interval.replicates for a in r.annotators[:2]] == [40, 40]
    assert 0 < r.annotators[2].interval.replicates < 40
