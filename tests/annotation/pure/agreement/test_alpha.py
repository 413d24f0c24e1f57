"""Krippendorff's alpha against its published worked example and the krippendorff package."""

import krippendorff
import numpy as np
import pytest
from nltk.metrics.agreement import AnnotationTask

from annotation.pure.agreement.alpha import (
    alpha_from_coincidences,
    alpha_reason,
    coincidences,
    coincidences_from_codes,
    krippendorff_alpha,
    unit_coincidences,
    unit_counts,
)

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
# 12 units, values 1..5, missing data.
KRIPPENDORFF_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
])
CODES = np.where(np.isnan(KRIPPENDORFF_2011), -1, KRIPPENDORFF_2011 - 1).astype(int)
VALUES = [1, 2, 3, 4, 5]


@pytest.mark.parametrize(("metric", "published"),
                         [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_krippendorff_2011_worked_example(metric, published):
    ours = krippendorff_alpha(CODES, 5, metric, VALUES)
    assert round(ours, 3) == published
    reference = krippendorff.alpha(KRIPPENDORFF_2011, level_of_measurement=metric,
                                   value_domain=VALUES)
    assert ours == pytest.approx(reference, abs=1e-9)


def test_worked_example_coincidence_matrix():
    # the paper's coincidence matrix (values 1..5, in thirds): marginals 9, 13, 10, 5, 3; n = 40
    o = coincidences(unit_counts(CODES, 5))
    thirds = np.array([[21, 4, 1, 1, 0], [4, 30, 4, 1, 0], [1, 4, 24, 1, 0], [1, 1, 1, 12, 0],
                       [0, 0, 0, 0, 9]])
    assert o == pytest.approx(thirds / 3)
    assert o.sum(axis=1) == pytest.approx([9, 13, 10, 5, 3])


def test_float_input_with_nan_is_the_same_as_codes():
    assert krippendorff_alpha(KRIPPENDORFF_2011 - 1, 5) == krippendorff_alpha(CODES, 5)


@pytest.mark.parametrize("metric", ["nominal", "ordinal", "interval"])
def test_random_2000_units_5_coders_15_percent_missing(metric):
    rng = np.random.default_rng(20240611)
    truth = rng.integers(0, 5, size=2000)
    noise = rng.integers(-1, 2, size=(5, 2000)) * (rng.random((5, 2000)) < 0.4)
    data = np.clip(truth + noise, 0, 4).astype(float)
    data[rng.random(data.shape) < 0.15] = NAN
    codes = np.where(np.isnan(data), -1, data).astype(int)
    ours = krippendorff_alpha(codes, 5, metric, values=np.arange(5))
    reference = krippendorff.alpha(data, level_of_measurement=metric,
                                   value_domain=np.arange(5.0))
    assert ours == pytest.approx(reference, abs=1e-9)


def test_per_unit_contributions_sum_to_the_coincidence_matrix():
    counts = unit_counts(CODES, 5)
    summed = np.ones(len(counts)) @ unit_coincidences(counts)
    assert summed.reshape(5, 5) == pytest.approx(coincidences(counts))
    # a replicate that draws unit 1 twice and drops unit 0 is the same weighting
    w = np.ones(len(counts))
    w[0], w[1] = 0, 2
    again = unit_counts(CODES[:, [1, 1, *range(2, 12)]], 5)
    assert (w @ unit_coincidences(counts)).reshape(5, 5) == pytest.approx(coincidences(again))


def test_vectorized_over_replicates():
    o = coincidences(unit_counts(CODES, 5))
    stacked = np.stack([o, o * 2, np.zeros_like(o)])
    out = alpha_from_coincidences(stacked, "ordinal")
    assert out[0] == pytest.approx(0.8153875, abs=1e-6)
    assert out[1] == pytest.approx(out[0] + (out[0] - 1) * (1 / 79), abs=0.05)  # n differs
    assert np.isnan(out[2])


def test_perfect_agreement_is_one():
    codes = np.array([[0, 1, 2, 1, -1], [0, 1, 2, 1, 2], [0, -1, 2, 1, 2]])
    for metric in ("nominal", "ordinal", "interval"):
        assert krippendorff_alpha(codes, 3, metric, [0, 1, 2]) == 1.0


def test_undefined_cases_are_none_with_a_reason_never_one_or_nan():
    same = np.array([[1, 1, 1], [1, 1, -1]])
    assert krippendorff_alpha(same, 3) is None
    assert "same value" in alpha_reason(coincidences(unit_counts(same, 3)))
    # nltk returns 1.0 here
    task = AnnotationTask([(c, i, 1) for c in "ab" for i in range(3) if (c, i) != ("b", 2)])
    assert task.alpha() == 1
    single_rater = np.array([[0, 1, 2, 1]])
    assert krippendorff_alpha(single_rater, 3) is None
    assert "two annotators" in alpha_reason(coincidences(unit_counts(single_rater, 3)))
    no_overlap = np.array([[0, 1, -1, -1], [-1, -1, 2, 1]])
    assert krippendorff_alpha(no_overlap, 3) is None


def test_nltk_alpha_agrees_with_missing_data():
    triples = [(str(c), str(u), int(CODES[c, u])) for c in range(4) for u in range(12)
               if CODES[c, u] >= 0]
    assert krippendorff_alpha(CODES, 5) == pytest.approx(AnnotationTask(triples).alpha())


def test_coincidences_from_codes_equal_the_dense_route():
    rng = np.random.default_rng(9)
    codes = rng.integers(0, 6, size=(4, 500))
    codes[rng.random(codes.shape) < 0.3] = -1
    assert coincidences_from_codes(codes, 6) == pytest.approx(coincidences(unit_counts(codes, 6)))
    assert coincidences_from_codes(CODES, 5) == pytest.approx(coincidences(unit_counts(CODES, 5)))
