"""Long texts in near-duplicate detection: the same signatures, in bounded memory."""

import random
import tracemalloc

import numpy as np

from annotation.readers import neardup, shingles
from annotation.readers.neardup import NearDuplicateFinder
from annotation.readers.shingles import normalize, segments

ALPHABET = "abcdeΣσİ 中文的是\n\t  😀\u200d"


def signature(text: str) -> np.ndarray | None:
    finder = NearDuplicateFinder()
    finder.add(1, text)
    finder._flush()
    return finder._sig_chunk[0].copy() if finder.count else None


def test_segments_hold_every_window_once(monkeypatch):
    monkeypatch.setattr(shingles, "SEGMENT", 64)
    rng = random.Random(5)
    for size in (1, 3, 63, 64, 65, 500, 3000):
        text = "".join(rng.choice("ab c\n中文 ") for _ in range(size))
        norm = normalize(text)
        pieces = list(segments(text, 5))
        windows = [p[i:i + 5] for p in pieces for i in range(len(p) - 4)]
        expected = [norm[i:i + 5] for i in range(len(norm) - 4)] if len(norm) >= 5 else \
            ([norm + "\0" * (5 - len(norm))] if norm else [])
        assert windows == expected, size
    assert list(segments(" \n" * 100, 5)) == []
    assert list(segments(" " * 100 + "ab" + " " * 100, 5)) == ["ab\0\0\0"]


def test_long_texts_hashed_in_pieces_give_the_same_signature(monkeypatch):
    rng = random.Random(6)
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(200, 5000)))
             for _ in range(6)]
    whole = [signature(text) for text in texts]
    monkeypatch.setattr(shingles, "SEGMENT", 97)
    monkeypatch.setattr(neardup, "GROUP", 300)
    for text, expected in zip(texts, whole, strict=True):
        assert np.array_equal(signature(text), expected)


def peak(size: int) -> int:
    text = ("lorem ipsum dolor 中文文本 " * (size // 20 + 1))[:size]
    finder = NearDuplicateFinder()
    tracemalloc.start()
    try:
        finder.add(1, text)
        finder.add(2, text[: size // 2])
        groups = finder.groups()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        finder.close()
        assert groups == [[1, 2]]  # a repeated phrase: the half has the whole's shingles


def test_memory_does_not_grow_with_the_text():
    """A 200 MB text took ~6 GB: every shingle of it as 8-byte arrays, all at once."""
    small, large = peak(1_000_000), peak(4_000_000)
    assert large < small * 1.2, (small, large)
    assert large < 64 * 2**20, large
