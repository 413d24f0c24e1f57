"""Kappas, percent agreement and the pooled confusion matrix against known answers."""

import itertools

import numpy as np
import pytest
from nltk.metrics.agreement import AnnotationTask
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from annotation.pure.agreement import categorical as cat
from annotation.pure.agreement.alpha import unit_counts

# Fleiss (1971), psychiatric diagnoses: 30 subjects, 6 raters, 5 categories (as in
# statsmodels' test-suite, stats/tests/test_inter_rater.py). Published kappa: .430.
FLEISS_1971 = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])


def test_fleiss_1971():
    codes = (FLEISS_1971 - 1).T  # (raters, subjects)
    kappa, units, note = cat.fleiss_kappa(unit_counts(codes, 5))
    assert round(kappa, 3) == 0.430
    assert kappa == pytest.approx(sm_fleiss(aggregate_raters(FLEISS_1971)[0]), abs=1e-12)
    assert units == 30
    assert note is None


def test_fleiss_with_unequal_ratings_uses_the_fully_rated_units_and_says_so():
    codes = (FLEISS_1971 - 1).T.copy()
    codes[0, :5] = -1  # 5 subjects lose a rating
    kappa, units, note = cat.fleiss_kappa(unit_counts(codes, 5))
    assert units == 25
    assert "25 of 30 units rated by 6 annotators" in note
    full = (FLEISS_1971[5:] - 1).T
    assert kappa == pytest.approx(cat.fleiss_kappa(unit_counts(full, 5))[0])


def test_fleiss_undefined():
    kappa, _, note = cat.fleiss_kappa(unit_counts(np.zeros((3, 4), dtype=int), 2))
    assert kappa is None
    assert "same category" in note
    kappa, units, note = cat.fleiss_kappa(unit_counts(np.array([[0, 1, 1]]), 2))
    assert (kappa, units) == (None, 0)


# Cohen's kappa textbook 2x2 (50 grant proposals, two readers): yes/yes 20, yes/no 5,
# no/yes 10, no/no 15; p_o = .70, p_e = .50, kappa = .40.
def textbook_pair() -> np.ndarray:
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    return np.array([a, b])


def test_cohen_textbook():
    codes = textbook_pair()
    (pair,) = cat.pairwise_kappa(codes, 2)
    assert pair.value == pytest.approx(0.4)
    assert pair.value == pytest.approx(cohen_kappa_score(codes[0], codes[1]))
    assert pair.items == 50


def test_cohen_pairs_use_only_items_both_rated():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 4, size=(4, 300))
    codes[rng.random(codes.shape) < 0.2] = -1
    for p in cat.pairwise_kappa(codes, 4):
        both = (codes[p.a] >= 0) & (codes[p.b] >= 0)
        assert p.items == both.sum()
        assert p.value == pytest.approx(
            cohen_kappa_score(codes[p.a][both], codes[p.b][both]), abs=1e-12)


def test_cohen_undefined():
    (pair,) = cat.pairwise_kappa(np.array([[1, 1, 1], [1, 1, 1]]), 2)
    assert pair.value is None
    assert "same single category" in pair.reason
    (pair,) = cat.pairwise_kappa(np.array([[1, -1], [-1, 0]]), 2)
    assert (pair.value, pair.items) == (None, 0)
    assert "share no" in pair.reason


def test_perfect_agreement():
    codes = np.array([[0, 1, 2, 2], [0, 1, 2, 2], [0, 1, 2, 2]])
    counts = unit_counts(codes, 3)
    assert cat.percent_agreement(counts) == (1.0, 4)
    assert cat.fleiss_kappa(counts)[0] == pytest.approx(1.0)
    assert all(p.value == 1.0 for p in cat.pairwise_kappa(codes, 3))


def test_percent_agreement_definition():
    # unit 0: 3 ratings, 1 of 3 pairs agree; unit 1: 2 ratings agree; unit 2: one rating only
    codes = np.array([[0, 1, 2], [0, 1, -1], [1, -1, -1]])
    value, units = cat.percent_agreement(unit_counts(codes, 3))
    assert units == 2
    assert value == pytest.approx((1 / 3 + 1) / 2)


def test_pooled_confusion_is_symmetric_over_ordered_pairs():
    codes = np.array([[0, 1, 2], [0, 2, -1], [1, 2, -1]])
    conf = cat.pooled_confusion(unit_counts(codes, 3))
    expected = np.zeros((3, 3), dtype=int)
    for u in range(3):
        for i, j in itertools.permutations(range(3), 2):
            if codes[i, u] >= 0 and codes[j, u] >= 0:
                expected[codes[i, u], codes[j, u]] += 1
    assert (conf == expected).all()
    assert (conf == conf.T).all()
    assert conf.sum() == 2 * (3 + 3)  # twice the unordered rating pairs


def test_nltk_annotation_task():
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 3, size=40)
    codes = np.where(rng.random((3, 40)) < 0.7, truth, rng.integers(0, 3, size=(3, 40)))
    task = AnnotationTask([(str(c), str(u), int(codes[c, u]))
                           for c in range(3) for u in range(40)])
    pairs = cat.pairwise_kappa(codes, 3)
    # nltk's kappa is the plain mean of pairwise Cohen's kappa, as ours
    assert np.mean([p.value for p in pairs]) == pytest.approx(task.kappa(), abs=1e-12)
    # nltk's multi_kappa is Davies & Fleiss (1982), which pools each pair's chance agreement
    # instead of Fleiss' pooled marginals: close to Fleiss' kappa but not equal
    fleiss = cat.fleiss_kappa(unit_counts(codes, 3))[0]
    assert fleiss == pytest.approx(task.multi_kappa(), abs=0.02)
    assert fleiss != pytest.approx(task.multi_kappa(), abs=1e-9)


def test_binary_recoding():
    codes = np.array([[0, 1, 2, -1]])
    assert cat.binary_codes(codes, 1).tolist() == [[0, 1, 0, -1]]
    counts = unit_counts(np.array([[0, 1], [1, 1]]), 3)
    assert cat.binary_counts(counts, 1).tolist() == [[1, 1], [0, 2]]
