"""Chinese word segmentation, a per-project choice of the shared tokenizer (tokens.py).

- ``characters`` (the default): every Han character is a token of its own.
- ``jieba``: Han characters that jieba (dictionary and HMM, its default mode) makes one word
  are one token. jieba runs on the whole text, and only its words made entirely of Han
  characters join tokens, so Latin words, digits, kana, hangul, punctuation and emoji are cut
  as under ``characters``. Every boundary under ``jieba`` is a boundary under ``characters``
  too: segmentation only ever joins tokens.

jieba is loaded on first use (its dictionary takes about 0.7 s), so projects that keep
``characters`` never pay for it.
"""

import logging
import re
import threading
from typing import Any

import numpy as np

CHARACTERS, JIEBA = "characters", "jieba"
SEGMENTATIONS = (CHARACTERS, JIEBA)

_HAN = re.compile(
    "[\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]{2,}")
_lock = threading.Lock()
_jieba = None


def _tokenizer() -> Any:  # jieba has no types
    global _jieba
    with _lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
    return _jieba


def check(segmentation: str) -> str:
    if segmentation not in SEGMENTATIONS:
        raise ValueError(f"unknown segmentation {segmentation!r}; expected one of "
                         f"{', '.join(SEGMENTATIONS)}")
    return segmentation


def han_words(text: str) -> np.ndarray:
    """(n, 2) int64 code-point [start, end) of jieba's words of two or more Han characters."""
    if not _HAN.search(text):
        return np.zeros((0, 2), dtype=np.int64)
    found = [(start, end) for word, start, end in _tokenizer().tokenize(text)
             if end - start > 1 and _HAN.fullmatch(word)]
    return np.array(found, dtype=np.int64).reshape(-1, 2)


def join(starts: np.ndarray, ends: np.ndarray, words: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    """Tokens (sorted ``starts`` and ``ends``) with the tokens inside each word joined into
    one. A word must start at a token's start; its last token may run past it (a Han
    character's combining mark is part of the character's token)."""
    if not len(words) or not len(starts):
        return starts, ends
    first = np.searchsorted(starts, words[:, 0])
    last = np.searchsorted(starts, words[:, 1], side="left") - 1
    at = np.minimum(first, len(starts) - 1)
    ok = (first < len(starts)) & (starts[at] == words[:, 0]) & (last > first)
    first, last = first[ok], last[ok]
    if not len(first):
        return starts, ends
    depth = np.zeros(len(starts) + 1, dtype=np.int64)
    np.add.at(depth, first + 1, 1)
    np.add.at(depth, last + 1, -1)
    ends = ends.copy()
    ends[first] = ends[last]
    keep = np.cumsum(depth[:-1]) == 0
    return starts[keep], ends[keep]


def segment(text: str, starts: np.ndarray, ends: np.ndarray, segmentation: str
            ) -> tuple[np.ndarray, np.ndarray]:
    """The character tokens of ``text`` under ``segmentation``."""
    if check(segmentation) == CHARACTERS:
        return starts, ends
    return join(starts, ends, han_words(text))
