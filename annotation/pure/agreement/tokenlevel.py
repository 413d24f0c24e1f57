"""Token-level agreement over a whole corpus, in bounded memory.

The statistics need no tag per token: a token no span of any annotator touches is O for
everyone who submitted the document, so such tokens are only counted per document; BIO tags
(bio.py) are built for the covered tokens only (about one in ten). Documents are tokenized
(tokenizer.py) and counted in blocks of characters, so memory does not grow with the corpus.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from annotation.pure.agreement import categorical as cat
from annotation.pure.agreement.alpha import coincidences_from_codes
from annotation.pure.agreement.bio import Tokens, bio_tags
from annotation.pure.agreement.spans import SpanTable
from annotation.pure.agreement.tokenizer import block_tokens
from annotation.pure.segment import CHARACTERS


@dataclass
class TokenAgreement:
    confusion: dict[tuple[int, int], np.ndarray]  # (a, b), a < b: (K, K) over shared tokens
    coincidences: np.ndarray  # (K, K) of the BIO tags, for alpha
    tokens: int  # tokens with tags from at least two annotators


def token_agreement(spans: SpanTable, texts: Sequence[str], submitted: np.ndarray,
                    n_labels: int, block_chars: int = 1 << 20,
                    segmentation: str = CHARACTERS) -> TokenAgreement:
    """Pairwise confusion and coincidences of BIO tags (see bio.py) over the tokens of the
    documents at least two annotators submitted; equal to building ``bio_matrix`` over the
    whole corpus and counting it."""
    k = 1 + 2 * n_labels
    coders = submitted.shape[0]
    pairs = list(itertools.combinations(range(coders), 2))
    out = TokenAgreement({p: np.zeros((k, k)) for p in pairs}, np.zeros((k, k)), 0)
    raters = submitted.sum(axis=0)
    docs = np.nonzero(raters >= 2)[0]  # the others have no pair of tags
    if docs.size == 0:
        return out
    lengths = np.fromiter((len(texts[d]) for d in docs.tolist()), dtype=np.int64,
                          count=len(docs))
    offset = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
    block = offset // block_chars
    cuts = [0, *(np.nonzero(np.diff(block))[0] + 1).tolist(), len(docs)]
    order = np.nonzero(raters[spans.doc] >= 2)[0]
    order = order[np.argsort(spans.doc[order], kind="stable")]
    span_doc = spans.doc[order]
    for lo, hi in itertools.pairwise(cuts):
        ids = docs[lo:hi]
        text = "\n".join(texts[d] for d in ids.tolist())
        start = offset[lo:hi] - offset[lo]
        t_start, t_end = block_tokens(text, start, start + lengths[lo:hi], segmentation)
        t_doc = np.searchsorted(start, t_start, side="right") - 1
        # the block's spans, by position in the block (documents of m < 2 are left out)
        rows = order[np.searchsorted(span_doc, ids[0], side="left"):
                     np.searchsorted(span_doc, ids[-1], side="right")]
        sub = SpanTable(np.searchsorted(ids, spans.doc[rows]), spans.coder[rows],
                        spans.start[rows], spans.end[rows], spans.label[rows])
        tokens = Tokens(t_doc, t_start, t_end, start)
        covered = _covered(sub, tokens)
        shared = submitted[:, ids]
        codes = np.stack([np.where(shared[c][t_doc[covered]], bio_tags(sub, c, tokens)[covered],
                                   -1) for c in range(coders)])
        plain = (np.bincount(t_doc, minlength=len(ids))
                 - np.bincount(t_doc[covered], minlength=len(ids))).astype(np.float64)
        for a, b in pairs:
            out.confusion[a, b] += cat.confusion(cat.pair_cells(codes, a, b, k), k)
            out.confusion[a, b][0, 0] += float(plain[shared[a] & shared[b]].sum())
        m = raters[ids]
        out.coincidences += coincidences_from_codes(codes, k)
        out.coincidences[0, 0] += float((plain * m).sum())  # all O: m(m-1) pairs / (m-1)
        out.tokens += int(((codes >= 0).sum(axis=0) >= 2).sum()) + int(plain.sum())
    return out


def _covered(spans: SpanTable, tokens: Tokens) -> np.ndarray:
    """Indexes of the tokens that share a code point with any span, in order."""
    base = tokens.doc_offset[spans.doc]
    first = np.searchsorted(tokens.end, base + spans.start, side="right")
    last = np.searchsorted(tokens.start, base + spans.end, side="left") - 1
    ok = first <= last
    edges = np.zeros(len(tokens.start) + 1, dtype=np.int64)
    np.add.at(edges, first[ok], 1)
    np.add.at(edges, last[ok] + 1, -1)
    return np.nonzero(np.cumsum(edges[:-1]) > 0)[0]
