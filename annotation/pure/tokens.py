"""A tokenizer shared by token-level agreement and the CoNLL export.

Offsets are Python ``str`` code points, end exclusive, like every offset in the project.

- Latin and other spaced scripts: a token is a run of word characters (letters, digits,
  underscore, combining marks); whitespace separates tokens and is never part of one.
- Every other visible character (punctuation, symbols) is a token of its own; an emoji keeps
  its modifiers, variation selectors, tag characters and ZWJ-joined parts, and a pair of
  regional indicators (a flag) is one token.
- Han, Hiragana, Katakana and Hangul: one token per character, unless the project segments
  Chinese into words (segment.py), which joins the Han characters of a word into one token.
"""

import re

import numpy as np

from annotation.pure.segment import CHARACTERS, segment

_CJK = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi radicals
    "\u3005\u3007\u3021-\u3029\u3038-\u303b"  # ideographic iteration marks and numerals
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f"  # Hangul Jamo extended A
    "\uac00-\ud7ff"  # Hangul syllables, Jamo extended B
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # halfwidth Katakana
    "\uffa0-\uffdc"  # halfwidth Hangul
    "\U0001b000-\U0001b16f"  # Kana supplement, extended A
    "\U00020000-\U0003134f"  # CJK extensions B to G, compatibility supplement
)
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_EXTEND = "\u200c\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f" + _MARKS
_FLAG = "\U0001f1e6-\U0001f1ff"

TOKEN = re.compile(  # one capturing group around everything, for TOKEN.split
    rf"([{_CJK}][{_MARKS}]*"  # one CJK character (with any combining mark)
    rf"|(?:[^\W{_CJK}]|[{_MARKS}])+"  # a word: \w minus CJK, with combining marks
    rf"|[{_FLAG}]{{2}}"  # a flag
    rf"|[^\s{_EXTEND}](?:[{_EXTEND}]|\u200d[^\s])*"  # any other character and its extenders
    rf"|[{_EXTEND}]+)"  # stray extenders
)


def tokenize(text: str, segmentation: str = CHARACTERS) -> list[tuple[int, int]]:
    """The (start, end) code-point offsets of the tokens of ``text``, in order."""
    if segmentation == CHARACTERS:
        return [m.span() for m in TOKEN.finditer(text)]
    offsets = token_offsets(text, segmentation)
    return list(zip(offsets[:, 0].tolist(), offsets[:, 1].tolist(), strict=True))


def token_offsets(text: str, segmentation: str = CHARACTERS) -> np.ndarray:
    """``tokenize`` as an int64 array of shape (tokens, 2), computed without match objects:
    ``TOKEN.split`` alternates gaps and tokens, so cumulative lengths give the offsets."""
    offsets = _offsets(TOKEN.split(text))
    if segmentation == CHARACTERS:
        return offsets
    starts, ends = segment(text, offsets[:, 0], offsets[:, 1], segmentation)
    return np.stack([starts, ends], axis=1)


def token_strings(text: str) -> tuple[np.ndarray, list[str]]:
    """``token_offsets`` and the tokens' own strings."""
    parts = TOKEN.split(text)
    return _offsets(parts), parts[1::2]


def _offsets(parts: list[str]) -> np.ndarray:
    bounds = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
    return np.stack([bounds[0:-1:2], bounds[1::2]], axis=1) if len(parts) > 1 else (
        np.zeros((0, 2), dtype=np.int64))
