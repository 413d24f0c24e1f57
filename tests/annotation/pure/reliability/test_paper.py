"""Dawid & Skene (1979) on their own data: the estimated classes and error rates.

The reference numbers are those of the EM estimator at convergence on Table 1 as printed by
the reference implementation dallascard/dawid_skene (its output is kept as
out/original_paper in alexandry-augustin/dawid_skene): class marginals, each clinician's
error-rate matrix to two decimals, the log-likelihood and every patient's class
probabilities. Clinician 1's three readings are one annotator (``raters``), as in the paper,
so they share one error-rate matrix; the paper's plain maximum likelihood is smoothing=0.
"""

import numpy as np
import pytest
from crowdkit.aggregation import DawidSkene

from annotation.pure.reliability import dawid_skene
from tests.annotation.pure.reliability.paper import CODES, RATERS
from tests.annotation.pure.reliability.synthetic import frame, proba, quiet

# The estimated class (1..4) of each patient.
CLASSES = [1, 4, 2, 2, 2, 2, 1, 3, 2, 2, 4, 3, 1, 2, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 2, 1,
           1, 1, 1, 3, 1, 2, 2, 4, 2, 3, 3, 1, 1, 1, 2, 1, 2]
MARGINALS = [0.40, 0.42, 0.11, 0.07]
ERROR_RATES = [  # clinician, true class, class given
    [[0.89, 0.11, 0, 0], [0.07, 0.88, 0.05, 0], [0, 0.34, 0.66, 0], [0, 0, 0.56, 0.44]],
    [[0.83, 0.17, 0, 0], [0.05, 0.63, 0.31, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
    [[1, 0, 0, 0], [0.11, 0.79, 0.11, 0], [0, 0.40, 0.20, 0.40], [0, 0, 0.67, 0.33]],
    [[0.94, 0.06, 0, 0], [0.05, 0.84, 0.10, 0], [0, 0, 0.80, 0.20], [0, 0, 0.33, 0.67]],
    [[1, 0, 0, 0], [0.16, 0.73, 0.11, 0], [0, 0.21, 0.79, 0], [0, 0, 0.33, 0.67]],
]
UNSURE = {7: [0.981, 0.019, 0, 0], 30: [0.9991, 0.0009, 0, 0], 35: [0, 0.948, 0.052, 0],
          38: [0, 0.0212, 0.9788, 0], 42: [0.9998, 0.0002, 0, 0]}  # patient: p(class 1..4)
LOG_LIKELIHOOD = -192.890882


def paper_fit(**kw):
    return dawid_skene(CODES, 4, smoothing=0.0, raters=RATERS, max_iter=1000, tol=1e-10, **kw)


def test_the_data_is_table_1():
    assert CODES.shape == (7, 45)
    assert (CODES >= 0).all()
    assert np.bincount(CODES.ravel(), minlength=4).tolist() == [127, 125, 48, 15]  # a checksum


def test_estimated_patient_classes():
    r = paper_fit()
    assert r.converged
    assert (r.labels + 1).tolist() == CLASSES
    sure = [i for i in range(45) if i + 1 not in UNSURE]
    assert r.posterior[sure].max(axis=1) == pytest.approx(1.0, abs=1e-4)
    for patient, p in UNSURE.items():
        assert r.posterior[patient - 1] == pytest.approx(p, abs=6e-4)


def test_estimated_error_rates_and_class_marginals():
    r = paper_fit()
    assert np.round(r.confusion, 2) == pytest.approx(np.array(ERROR_RATES), abs=1e-9)
    assert np.round(r.priors, 2).tolist() == MARGINALS
    assert r.log_likelihood == pytest.approx(LOG_LIKELIHOOD, abs=1e-5)


def test_default_smoothing_keeps_the_paper_classes():
    r = dawid_skene(CODES, 4, raters=RATERS)
    assert r.converged
    assert (r.labels + 1).tolist() == CLASSES
    assert r.confusion == pytest.approx(paper_fit().confusion, abs=0.01)


def test_the_three_readings_as_three_annotators_change_patient_3():
    r = dawid_skene(CODES, 4, smoothing=0.0, max_iter=1000, tol=1e-10)
    assert r.confusion.shape == (7, 4, 4)
    differ = np.nonzero(r.labels + 1 != np.array(CLASSES))[0] + 1
    assert differ.tolist() == [3]


def test_starting_from_the_winning_class_ends_in_a_worse_local_maximum():
    votes, winner = paper_fit(), paper_fit(init="majority")
    assert winner.log_likelihood == pytest.approx(-193.9746, abs=1e-3)
    assert winner.log_likelihood < votes.log_likelihood


@pytest.mark.parametrize("iterations", [1, 4, 25, 200])
def test_crowd_kit_gives_the_same_fit_after_the_same_iterations(iterations):
    """crowd-kit stops when its loss stops rising, which on this data is after 4 iterations;
    tol=-inf makes it run ``iterations`` EM steps like ours with tol=0. Its only difference is
    that it clips probabilities at 1e-10 before taking logs, hence the tolerance."""
    with quiet():
        ck = DawidSkene(n_iter=iterations, tol=-np.inf).fit(frame(CODES, RATERS))
    ours = dawid_skene(CODES, 4, smoothing=0.0, raters=RATERS, max_iter=iterations, tol=0.0)
    assert ours.iterations == iterations
    assert proba(ck.probas_, 45, 4) == pytest.approx(ours.posterior, abs=1e-8)
    assert ck.priors_.reindex(range(4)).to_numpy() == pytest.approx(ours.priors, abs=1e-8)
    errors = ck.errors_.reindex(
        [(w, g) for w in range(5) for g in range(4)], fill_value=0.0)[list(range(4))]
    conf = errors.to_numpy().reshape(5, 4, 4).transpose(0, 2, 1)  # -> [worker, true, given]
    assert conf == pytest.approx(ours.confusion, abs=1e-8)
