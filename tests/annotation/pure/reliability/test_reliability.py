"""One number per annotator and its percentile bootstrap interval over items."""

import json

import numpy as np
import pytest

from annotation.pure.reliability import dawid_skene, expected_accuracy, mace, reliability
from tests.annotation.pure.reliability.synthetic import confusions, simulate

METHODS = ["dawid_skene", "mace"]


def ratings(n_items, seed=0, missing=0.0):
    return simulate(confusions([0.9, 0.75, 0.6], 3), n_items, seed, missing=missing)[0]


@pytest.mark.parametrize("method", METHODS)
def test_values_are_the_estimators_numbers(method):
    codes = ratings(300, missing=0.2)
    r = reliability(codes, 3, method=method, replicates=0)
    point = (expected_accuracy(dawid_skene(codes, 3)) if method == "dawid_skene"
             else mace(codes, 3).competence)
    assert [a.value for a in r.annotators] == pytest.approx(point.tolist())
    assert [a.items for a in r.annotators] == (codes >= 0).sum(axis=1).tolist()
    assert r.reason is None
    assert r.measure.startswith("expected accuracy" if method == "dawid_skene" else "competence")
    assert all(a.interval.low is None for a in r.annotators)


@pytest.mark.parametrize("method", METHODS)
def test_intervals_hold_the_estimate_and_repeat_with_the_seed(method):
    codes = ratings(300, seed=1)
    r = reliability(codes, 3, method=method, replicates=60, seed=3)
    for a in r.annotators:
        assert a.interval.low <= a.value <= a.interval.high
        assert a.interval.replicates == 60
        assert a.interval.level == 0.95
    assert r.annotators[0].value > r.annotators[1].value > r.annotators[2].value
    again = reliability(codes, 3, method=method, replicates=60, seed=3)
    assert again.as_dict() == r.as_dict()
    other = reliability(codes, 3, method=method, replicates=60, seed=4)
    assert other.as_dict() != r.as_dict()
    json.dumps(r.as_dict())


@pytest.mark.parametrize("method", METHODS)
def test_intervals_narrow_as_items_grow(method):
    def widths(n_items):
        r = reliability(ratings(n_items, seed=2), 3, method=method, replicates=40)
        return np.array([a.interval.high - a.interval.low for a in r.annotators])

    small, large = widths(150), widths(1500)  # 10 times the items: about 1/3 of the width
    assert (large < 0.6 * small).all()


def test_an_annotator_who_rated_nothing_has_no_value_and_no_interval():
    codes = np.vstack([ratings(200, seed=5), np.full((1, 200), -1)])
    r = reliability(codes, 3, replicates=20)
    idle = r.annotators[3]
    assert idle.value is None
    assert idle.items == 0
    assert idle.interval.low is None
    assert idle.interval.replicates == 0
    assert all(a.value is not None for a in r.annotators[:3])


def test_unknown_method():
    with pytest.raises(ValueError, match="unknown method"):
        reliability(ratings(20), 3, method="glad")
