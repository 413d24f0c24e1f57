"""Compact key maps: the same answers as a dict, whatever the merges."""

import random

import numpy as np
import pytest

from annotation.readers import keys
from annotation.readers.keys import KeyMap, StringKeys


def test_keymap_answers_as_a_dict_across_merges() -> None:
    rng = random.Random(3)
    found, ref = KeyMap(pending=7), {}
    for i in range(3000):
        key = rng.getrandbits(64) if rng.random() < 0.7 or not ref else rng.choice(list(ref))
        if rng.random() < 0.5:
            assert found.setdefault(key, i) == ref.setdefault(key, i)
        else:
            assert (key in found) == (key in ref)
            assert found.get(key) == ref.get(key)
    assert len(found) == len(ref)


def test_keymap_set_overwrites_and_update_keeps_the_first_value() -> None:
    found = KeyMap(pending=2)
    for key in (5, 1, 9):
        found.setdefault(key, key * 10)
    found.set(1, 11)
    found.set(2**64 - 1, 7)
    found.update(np.array([1, 3, 3], dtype=np.uint64), np.array([0, 30, 31]))
    assert [found.get(k) for k in (1, 3, 5, 9, 2**64 - 1, 4)] == [11, 30, 50, 90, 7, None]
    assert len(found) == 5


def test_stringkeys_answers_as_a_dict() -> None:
    rng = random.Random(5)
    found, ref = StringKeys(), {}
    for i in range(5000):
        text = rng.choice(["id", "é", "\ud800", "x"]) + str(rng.randrange(1500))
        assert found.setdefault(text, i) == ref.setdefault(text, i)


def test_stringkeys_tells_apart_strings_whose_keys_collide(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(keys, "text_key", lambda text: len(text))
    found = StringKeys()
    assert found.setdefault("ab", 1) == 1
    assert found.setdefault("cd", 2) == 2  # same key, another string
    assert found.setdefault("ab", 3) == 1
    assert found.setdefault("cd", 4) == 2
    assert found.setdefault("abc", 5) == 5


def test_stringkeys_widen_past_32_bits() -> None:
    found = StringKeys()
    assert found.setdefault("a", 2**40) == 2**40
    assert found.setdefault("b", -5) == -5
    assert found.setdefault("c", 2**31 - 1) == 2**31 - 1
    assert [found.setdefault(t, 0) for t in "abc"] == [2**40, -5, 2**31 - 1]
    assert found._values.typecode == "q"


def test_keymap_with_narrow_values() -> None:
    found = KeyMap(pending=3, values=np.int32)
    for key in range(10):
        found.setdefault(key * 2**60 % 2**64, key)
    found.update(np.array([7], dtype=np.uint64), np.array([70]))
    assert [found.get(key * 2**60 % 2**64) for key in range(10)] == list(range(10))
    assert found.get(7) == 70
    assert found._values.dtype == np.int32
