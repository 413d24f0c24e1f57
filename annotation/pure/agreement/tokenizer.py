"""The shared tokenizer (annotation.pure.tokens) for a whole corpus, with numpy.

For the common text it takes one class lookup per code point instead of one regex match
and one string per token: whitespace separates, a run of word characters is one token, a
CJK or any other visible character is a token of its own. A document holding a character
that makes tokens depend on their neighbours (combining marks, variation selectors and other
extenders, regional indicators, ZWJ) is tokenized by the regex itself, so the tokens are
always ``token_offsets``'s.
"""

import re

import numpy as np

from annotation.pure.segment import CHARACTERS, segment
from annotation.pure.tokens import _CJK, _EXTEND, _FLAG, token_offsets

SPACE, WORD, SINGLE, CONTEXT = 0, 1, 2, 3  # code-point classes
_CLASSES: np.ndarray | None = None


def char_classes() -> np.ndarray:
    """(0x110000,) uint8: each code point's class, from the tokenizer's own character sets
    (built once, about 0.2 s)."""
    global _CLASSES
    if _CLASSES is None:
        every = "".join(map(chr, range(0x110000)))
        table = np.full(0x110000, SINGLE, dtype=np.uint8)
        for value, chars in ((WORD, rf"[^\W{_CJK}]"), (SPACE, r"\s"),
                             (CONTEXT, rf"[{_EXTEND}{_FLAG}\u200d]")):
            for m in re.finditer(f"(?:{chars})+", every):  # runs: a few thousand
                table[m.start():m.end()] = value
        _CLASSES = table
    return _CLASSES


def block_tokens(text: str, doc_start: np.ndarray, doc_end: np.ndarray,
                 segmentation: str = CHARACTERS) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the tokens of ``text``, documents joined by whitespace, the
    documents at [doc_start, doc_end). Equal to ``token_offsets(text, segmentation)``
    (segmented words are all Han, so none crosses the whitespace between documents)."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cls = char_classes()[points]
    found: list[np.ndarray] = []
    hard = np.nonzero(cls == CONTEXT)[0]
    if hard.size:  # whitespace bounds every document: each is tokenized on its own
        for d in np.unique(np.searchsorted(doc_start, hard, side="right") - 1).tolist():
            lo, hi = int(doc_start[d]), int(doc_end[d])
            found.append(token_offsets(text[lo:hi]) + lo)
            cls[lo:hi] = SPACE
    word = cls == WORD
    single = cls == SINGLE
    before = np.concatenate([[False], word[:-1]])
    after = np.concatenate([word[1:], [False]])
    starts = np.nonzero(single | (word & ~before))[0].astype(np.int64)
    ends = np.nonzero(single | (word & ~after))[0].astype(np.int64) + 1
    if found:
        both = np.concatenate([np.stack([starts, ends], axis=1), *found])
        both = both[np.argsort(both[:, 0], kind="stable")]
        starts, ends = both[:, 0].copy(), both[:, 1].copy()
    return segment(text, starts, ends, segmentation)
