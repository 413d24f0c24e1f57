"""Near-duplicate detection: grouping, accuracy against exact Jaccard, determinism, memory."""

import random
import string

import numpy as np
import pytest

from annotation.readers.neardup import CHUNK, NearDuplicateFinder, lsh_params, shingle_set

ZH = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
ZH += "子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体"


def words(rng: random.Random, count: int = 1) -> list[str]:
    return ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 8))) for _ in range(count)]


def english(rng: random.Random, size: int = 400) -> str:
    return " ".join(words(rng, size // 4))[:size]


def chinese(rng: random.Random, size: int = 200) -> str:
    return "".join(rng.choices(ZH, k=size))


def jaccard(a: str, b: str) -> float:
    sa, sb = shingle_set(a), shingle_set(b)
    return len(sa & sb) / len(sa | sb)


def test_one_word_or_character_changed_is_grouped():
    rng = random.Random(1)
    en, zh = english(rng), chinese(rng)
    tokens = en.split(" ")
    tokens[30] = "replaced"
    zh2 = zh[:100] + ("中" if zh[100] != "中" else "国") + zh[101:]
    finder = NearDuplicateFinder()
    finder.add(10, en)
    finder.add(11, english(rng))
    finder.add(12, zh2)
    finder.add(13, " ".join(tokens))
    finder.add(14, chinese(rng))
    finder.add(15, zh)
    finder.add(16, en.upper().replace(" ", "  \n"))  # case and whitespace are normalized
    assert jaccard(en, " ".join(tokens)) > 0.9
    assert jaccard(zh, zh2) > 0.9
    assert finder.groups() == [[10, 13, 16], [12, 15]]


def test_unrelated_texts_are_not_grouped():
    rng = random.Random(2)
    finder = NearDuplicateFinder()
    finder.add_many((i, english(rng) if i % 2 else chinese(rng)) for i in range(3000))
    assert finder.groups() == []


def test_existing_documents():
    rng = random.Random(3)
    a, b = english(rng), english(rng)
    finder = NearDuplicateFinder()
    finder.add_many([(-1, a), (-2, a), (-3, b)], existing=True)
    finder.add(0, b)
    finder.add(1, "new and alone")
    assert finder.groups() == [[-3, 0]]  # the group of two existing documents is left out


def test_short_and_empty_texts():
    finder = NearDuplicateFinder()
    finder.add_many(
        [(0, "ab"), (1, "AB "), (2, "abc"), (3, "   "), (4, ""), (5, "你好"), (6, "你好")]
    )
    assert finder.groups() == [[0, 1], [5, 6]]
    assert (finder.count, finder.skipped) == (5, 2)


def mutate(rng: random.Random, text: str, changes: int) -> str:
    tokens = text.split(" ")
    for i in rng.sample(range(len(tokens)), changes):
        tokens[i] = words(rng)[0]
    return " ".join(tokens)


def test_threshold_against_exact_jaccard():
    rng = random.Random(4)
    pairs = []
    for i in range(900):
        base = english(rng)
        pairs.append((base, mutate(rng, base, i % 10)))
    finder = NearDuplicateFinder(threshold=0.85)
    for i, (a, b) in enumerate(pairs):
        finder.add(2 * i, a)
        finder.add(2 * i + 1, b)
    groups = finder.groups()
    assert all(len(group) == 2 and group[0] // 2 == group[1] // 2 for group in groups)
    grouped = {group[0] // 2 for group in groups}
    truth = [jaccard(a, b) for a, b in pairs]
    high = [i for i, j in enumerate(truth) if j >= 0.92]
    low = [i for i, j in enumerate(truth) if j <= 0.75]
    assert len(high) > 150
    assert len(low) > 150
    assert sum(i in grouped for i in high) >= 0.9 * len(high)
    assert sum(i in grouped for i in low) <= 0.05 * len(low)


def test_deterministic():
    rng = random.Random(5)
    docs = []
    for _ in range(300):
        base = english(rng)
        docs += [base, mutate(rng, base, rng.randint(0, 4))]
    one, two, other = NearDuplicateFinder(), NearDuplicateFinder(), NearDuplicateFinder(seed=7)
    for finder in (one, two, other):
        finder.add_many(enumerate(docs))
    assert one.groups() == two.groups()
    assert other.groups()  # a different seed still finds the near-duplicates
    count = one.count
    assert np.array_equal(one._sig_chunk[:count], two._sig_chunk[:count])
    assert not np.array_equal(one._sig_chunk[:count], other._sig_chunk[:count])
    assert len(one.groups()) > 200


@pytest.mark.parametrize("threshold", [0.8, 0.85, 0.9, 0.95])
def test_lsh_params_match_datasketch(threshold):
    from datasketch.lsh import _optimal_param

    assert lsh_params(threshold) == _optimal_param(threshold, 128, 0.1, 0.9)


@pytest.mark.slow
def test_memory_scales_to_a_million_documents():
    rng = np.random.default_rng(6)
    vocab = np.array(["".join(rng.choice(list(string.ascii_lowercase), 6)) for _ in range(3000)])
    finder = NearDuplicateFinder()
    count = 100_000
    finder.add_many((i, " ".join(vocab[rng.integers(0, 3000, 57)])) for i in range(count))
    finder._flush()
    per_document = (finder.memory_bytes() + finder.spilled_bytes()) / (-(-count // CHUNK) * CHUNK)
    assert per_document * 1_000_000 < 130e6
    assert finder.memory_bytes() < 2.5e6  # the open chunk; the others are in the file
    assert finder.groups() == []


def test_large_buckets_form_one_group_each():
    rng = random.Random(8)
    a, b = english(rng), chinese(rng)
    finder = NearDuplicateFinder()
    for i in range(60):
        finder.add(i, a if i % 3 else b)
        finder.add(100 + i, english(rng))
    groups = finder.groups()
    assert groups == [[i for i in range(60) if i % 3 == 0], [i for i in range(60) if i % 3]]


def test_spilled_chunks_give_the_same_groups(monkeypatch):
    """Full chunks go to the temporary file; groups read them back across chunk borders."""
    from annotation.readers import neardup

    rng = random.Random(9)
    docs = []
    for _ in range(150):
        base = english(rng)
        docs += [base, chinese(rng), mutate(rng, base, rng.randint(0, 3))]
    whole = NearDuplicateFinder()
    whole.add_many(enumerate(docs))
    expected = whole.groups()
    assert whole.spilled_bytes() == 0
    monkeypatch.setattr(neardup, "CHUNK", 64)
    monkeypatch.setattr(neardup, "BATCH", 50)
    small = NearDuplicateFinder()
    small.add_many(enumerate(docs))
    assert small.groups() == expected
    assert small.spilled_bytes() == (len(docs) - 1) // 64 * 64 * (64 + small.bands * 4 + 9)
    small.close()
    assert len(expected) > 100
