"""Token-level BIO tags from spans, for token-level kappa and alpha.

Tag codes: 0 is O, 1 + 2l is B-label l, 2 + 2l is I-label l. A token belongs to a span when
they share a code point. Where spans overlap, a token takes the tag of the span that starts
first (the longer one on a tie), since BIO cannot nest.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from annotation.pure.agreement.spans import SpanTable
from annotation.pure.agreement.tokenizer import block_tokens
from annotation.pure.segment import CHARACTERS


@dataclass(frozen=True)
class Tokens:
    """All tokens of a corpus, in document order, with offsets into one joined string."""

    doc: np.ndarray  # (T,) document index
    start: np.ndarray  # (T,) global code-point offsets
    end: np.ndarray
    doc_offset: np.ndarray  # (D,) where each document starts in the joined string


def corpus_tokens(texts: Sequence[str], block_chars: int = 1 << 20,
                  segmentation: str = CHARACTERS) -> Tokens:
    """Tokenize every document at once: the texts are joined with newlines, which no token
    crosses, so one regex pass gives global offsets."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    doc_offset = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
    # a block of documents at a time, which bounds the tokenizer's arrays
    block = (doc_offset // block_chars).astype(np.int64)
    cuts = [0, *(np.nonzero(np.diff(block))[0] + 1).tolist(), len(texts)]
    starts, ends = [], []
    for lo, hi in itertools.pairwise(cuts):
        if hi > lo:
            local = doc_offset[lo:hi] - doc_offset[lo]
            s, e = block_tokens("\n".join(texts[lo:hi]), local, local + lengths[lo:hi],
                                segmentation)
            starts.append(s + doc_offset[lo])
            ends.append(e + doc_offset[lo])
    empty = np.zeros(0, dtype=np.int64)
    start = np.concatenate(starts) if starts else empty
    end = np.concatenate(ends) if ends else empty
    doc = np.searchsorted(doc_offset, start, side="right") - 1
    return Tokens(doc.astype(np.int64), start, end, doc_offset)


def bio_tags(spans: SpanTable, coder: int, tokens: Tokens) -> np.ndarray:
    """(T,) tag codes of one annotator over every token of the corpus."""
    tags = np.zeros(len(tokens.start), dtype=np.int64)
    sel = np.nonzero(spans.coder == coder)[0]
    if sel.size == 0 or tags.size == 0:
        return tags
    base = tokens.doc_offset[spans.doc[sel]]
    gstart, gend = base + spans.start[sel], base + spans.end[sel]
    first = np.searchsorted(tokens.end, gstart, side="right")
    last = np.searchsorted(tokens.start, gend, side="left") - 1
    ok = first <= last
    first, last, label = first[ok], last[ok], spans.label[sel][ok]
    priority = np.empty(len(first), dtype=np.int64)
    priority[np.lexsort((-gend[ok], gstart[ok]))] = np.arange(len(first))
    n = last - first + 1
    tok = np.repeat(first, n) + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
    owner_rank = np.repeat(priority, n)
    best = np.full(tags.size, len(first), dtype=np.int64)
    np.minimum.at(best, tok, owner_rank)
    covered = np.nonzero(best < len(first))[0]
    by_rank = np.argsort(priority)
    owner = by_rank[best[covered]]
    begins = covered == first[owner]
    tags[covered] = np.where(begins, 1 + 2 * label[owner], 2 + 2 * label[owner])
    return tags


def bio_matrix(spans: SpanTable, tokens: Tokens, submitted: np.ndarray) -> np.ndarray:
    """(coders, T) tag codes; -1 on the tokens of documents a coder did not submit."""
    rows = [np.where(submitted[c][tokens.doc], bio_tags(spans, c, tokens), -1)
            for c in range(submitted.shape[0])]
    return np.stack(rows) if rows else np.zeros((0, len(tokens.start)), dtype=np.int64)


def tag_names(labels: Sequence[str]) -> list[str]:
    return ["O", *(f"{p}-{name}" for name in labels for p in ("B", "I"))]
