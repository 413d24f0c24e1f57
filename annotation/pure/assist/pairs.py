"""The relation agent's candidate pairs and their features.

Candidate pairs are near each other: at most `MAX_GAP` entities apart in (start, end) order
and at most `MAX_CHARS` characters between them, in both orders. A pair's features
(`features`, the definition) are its head and tail labels and their pair, the token-distance
bucket, the order, and the lowercased words between (at most `MAX_WORDS`, then the last one
as "wl="). `rows` makes the same features as a binary matrix with numpy, a document at a
time, without a string per pair."""

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from annotation.pure.assist.base import GoldDoc
from annotation.pure.tokens import token_strings

NONE = "\x00none"  # the class of unrelated pairs; no label name can be it
MAX_GAP, MAX_CHARS, MAX_WORDS = 4, 200, 8
Entity = tuple[int, int, str]
Pair = tuple[int, int]  # indices into the document's entities
BUCKETS = (0, 1, 2, 4, 8, 16, 32)
Related = frozenset[tuple[str, str]]  # (head label, tail label) pairs some relation joins


def pairs(entities: Sequence[Entity]) -> Iterator[Pair]:
    """Ordered candidate (head, tail) pairs of entity indices."""
    order = sorted(range(len(entities)), key=lambda i: entities[i][:2])
    for a, i in enumerate(order):
        for j in order[a + 1:a + 1 + MAX_GAP]:
            first, second = entities[i], entities[j]
            if second[0] - first[1] <= MAX_CHARS:
                yield i, j
                yield j, i


def _bucket(n: int) -> int:
    """0, 1, 2, then powers of two up to 32 (3 -> 2, 5 -> 4, 100 -> 32)."""
    return min(32, 1 << (n.bit_length() - 1)) if n else 0


@dataclass
class Tokens:
    """A document's tokens as the pair features need them: sorted start and end offsets
    (for bisection) and each token's "w=" feature."""

    starts: np.ndarray
    ends: np.ndarray
    words: list[str]

    @classmethod
    def of(cls, text: str) -> "Tokens":
        offsets, strings = token_strings(text)
        return cls(offsets[:, 0], offsets[:, 1], ["w=" + token.lower() for token in strings])


@lru_cache(maxsize=4096)
def _label_features(head: str, tail: str) -> tuple[str, str, str]:
    return f"h={head}", f"t={tail}", f"ht={head}|{tail}"


_ORDER = {True: "o=fwd", False: "o=back"}


def features(tokens: Tokens, entities: Sequence[Entity], pair: Pair) -> list[str]:
    """The pair's features: labels, token distance bucket, order, and the words between
    (found by bisection on the token offsets)."""
    head, tail = entities[pair[0]], entities[pair[1]]
    left, right = sorted((head, tail))
    first = bisect_left(tokens.starts.tolist(), left[1])
    n = max(0, bisect_right(tokens.ends.tolist(), right[0]) - first)
    out = [*_label_features(head[2], tail[2]), f"d={_bucket(n)}", _ORDER[head <= tail]]
    out += tokens.words[first:first + min(n, MAX_WORDS)]
    if n > MAX_WORDS:
        out.append("wl=" + tokens.words[first + n - 1][2:])
    return out


def gold_of(doc: GoldDoc) -> dict[Pair, str]:
    gold: dict[Pair, str] = {}
    for head, tail, name in doc.relations:
        gold.setdefault((head, tail), name)
    return gold


@dataclass
class Rows:
    """Every candidate pair as a row of a binary feature matrix, its gold class, and where
    it is: `where` is an (rows, 3) int32 array of document index, head and tail entity
    index."""

    x: Any  # scipy CSR, float32
    ys: list[str]
    where: np.ndarray
    vocabulary: dict[str, int]


class _Columns:
    """Feature names to column numbers: made as they come (`grow`), or looked up in a fixed
    vocabulary (-1 for a name outside it)."""

    def __init__(self, vocabulary: dict[str, int] | None) -> None:
        self.grow = vocabulary is None
        self.vocab: dict[str, int] = {} if vocabulary is None else vocabulary

    def __call__(self, name: str) -> int:
        if self.grow:
            return self.vocab.setdefault(name, len(self.vocab))
        return self.vocab.get(name, -1)


def _candidates(entities: Sequence[Entity]) -> tuple[np.ndarray, np.ndarray]:
    """`pairs`' unordered candidates as (left, right) index arrays, in its order."""
    order = np.array(sorted(range(len(entities)), key=lambda i: entities[i][:2]), dtype=np.int64)
    starts = np.array([e[0] for e in entities], dtype=np.int64)[order]
    ends = np.array([e[1] for e in entities], dtype=np.int64)[order]
    n = len(order)
    a = np.repeat(np.arange(n), MAX_GAP)
    b = a + np.tile(np.arange(1, MAX_GAP + 1), n)
    ok = b < n
    a, b = a[ok], b[ok]
    ok = starts[b] - ends[a] <= MAX_CHARS
    return order[a[ok]], order[b[ok]]


def _document_rows(doc: GoldDoc, columns: _Columns,
                   labels: dict[tuple[str, str, bool], list[int]],
                   related: Related | None) -> tuple[np.ndarray, Any]:
    """The document's rows as a (rows, width) array of column numbers (-1: none) and its
    ordered pairs as a (rows, 2) array, in `pairs`' order."""
    entities = doc.entities
    first_of, second_of = _candidates(entities)
    names = sorted({e[2] for e in entities})
    label = np.array([names.index(e[2]) for e in entities], dtype=np.int64)  # label rank
    if related is not None:  # a candidate when its labels are related in either order
        allowed = np.array([[(h, t) in related or (t, h) in related for t in names]
                            for h in names], dtype=bool).reshape(len(names), len(names))
        keep = allowed[label[first_of], label[second_of]]
        first_of, second_of = first_of[keep], second_of[keep]
    ent_start = np.array([e[0] for e in entities], dtype=np.int64)
    ent_end = np.array([e[1] for e in entities], dtype=np.int64)
    # candidates are in (start, end) order, so the left one of each pair (as `features`
    # sorts the two entity tuples) is the first unless both spans are equal
    same_span = (ent_start[first_of] == ent_start[second_of]) & (
        ent_end[first_of] == ent_end[second_of])
    swap = same_span & (label[first_of] > label[second_of])
    identical = same_span & (label[first_of] == label[second_of])
    left = np.where(swap, second_of, first_of)
    right = np.where(swap, first_of, second_of)
    tokens = Tokens.of(doc.text)
    first = np.searchsorted(tokens.starts, ent_end[left], side="left")
    n = np.maximum(0, np.searchsorted(tokens.ends, ent_start[right], side="right") - first)
    shared = np.full((len(left), 2 + MAX_WORDS), -1, dtype=np.int64)
    bucket = np.where(n == 0, 0, np.minimum(32, 2 ** np.floor(np.log2(np.maximum(n, 1)))))
    distance = np.array([columns(f"d={b}") for b in BUCKETS], dtype=np.int64)
    shared[:, 0] = distance[np.searchsorted(BUCKETS, bucket)]
    word_ids = _word_columns(tokens.words, first, n, columns)
    for k in range(MAX_WORDS):
        has = n > k
        shared[has, 1 + k] = word_ids[first[has] + k]
    long = np.flatnonzero(n > MAX_WORDS)
    shared[long, 1 + MAX_WORDS] = [columns("wl=" + tokens.words[p][2:])
                                   for p in (first[long] + n[long] - 1).tolist()]
    ordered = np.empty((2 * len(left), 2), dtype=np.int64)
    ordered[0::2, 0], ordered[0::2, 1] = first_of, second_of
    ordered[1::2, 0], ordered[1::2, 1] = second_of, first_of
    forward = np.empty(len(ordered), dtype=np.int64)  # head <= tail, as tuples
    forward[0::2], forward[1::2] = ~swap | identical, swap | identical
    heads, tails = label[ordered[:, 0]], label[ordered[:, 1]]
    table = _own_table(names, np.unique((heads * len(names) + tails) * 2 + forward),
                       columns, labels)
    own = table[heads, tails, forward]
    return np.hstack([own, np.repeat(shared, 2, axis=0)]), ordered


def _word_columns(words: list[str], first: np.ndarray, n: np.ndarray,
                  columns: _Columns) -> np.ndarray:
    """Each token's "w=" column, looked up only for the tokens some pair has between (so a
    growing vocabulary gets no column that no row uses)."""
    if not columns.grow:
        get = columns.vocab.get
        return np.array([get(word, -1) for word in words], dtype=np.int64)
    out = np.full(len(words), -1, dtype=np.int64)
    used = np.zeros(len(words) + 1, dtype=np.int64)
    count = np.minimum(n, MAX_WORDS)
    np.add.at(used, first, 1)
    np.add.at(used, first + count, -1)
    for p in np.flatnonzero(np.cumsum(used[:-1]) > 0).tolist():
        out[p] = columns(words[p])
    return out


def _own_table(names: list[str], used: np.ndarray, columns: _Columns,
               labels: dict[tuple[str, str, bool], list[int]]) -> np.ndarray:
    """The columns of the features that tell (head, tail) from (tail, head), labels and
    order: an (n, n, 2, 4) array by head label, tail label and order, filled for the `used`
    ones only, coded (head * n + tail) * 2 + forward (so that a growing vocabulary gets no
    column that no row uses)."""
    table = np.full((len(names), len(names), 2, 4), -1, dtype=np.int64)
    for key_code in used.tolist():
        pair, forward = divmod(key_code, 2)
        h, t = divmod(pair, len(names))
        key = (names[h], names[t], bool(forward))
        if key not in labels:
            labels[key] = [columns(f) for f in (*_label_features(key[0], key[1]),
                                                _ORDER[key[2]])]
        table[h, t, forward] = labels[key]
    return table


def related_in(docs: Sequence[GoldDoc]) -> Related:
    """The (head label, tail label) pairs that some gold relation of `docs` joins."""
    return frozenset((doc.entities[h][2], doc.entities[t][2])
                     for doc in docs for h, t, _name in doc.relations)


def rows(docs: Sequence[GoldDoc], vocabulary: dict[str, int] | None = None,
         related: Related | None = None) -> Rows:
    """`docs`' candidate pairs, only those whose two labels `related` joins (in either order)
    when it is given; with a `vocabulary`, features outside it are dropped, without one it
    is made from these features."""
    from scipy.sparse import csr_matrix

    columns = _Columns(vocabulary)
    labels: dict[tuple[str, str, bool], list[int]] = {}
    blocks: list[np.ndarray] = []
    wheres: list[np.ndarray] = []
    ys: list[str] = []
    for d, doc in enumerate(docs):
        if len(doc.entities) < 2:
            continue
        block, ordered = _document_rows(doc, columns, labels, related)
        if not len(block):
            continue
        blocks.append(block)
        wheres.append(np.hstack([np.full((len(ordered), 1), d, dtype=np.int64), ordered]))
        gold = gold_of(doc)
        ys += [gold.get(pair, NONE) for pair in map(tuple, ordered.tolist())] if gold \
            else [NONE] * len(ordered)
    width = 4 + 2 + MAX_WORDS
    every = np.vstack(blocks) if blocks else np.zeros((0, width), dtype=np.int64)
    every.sort(axis=1)
    every[:, 1:][every[:, 1:] == every[:, :-1]] = -1  # a word twice between: one feature
    valid = every >= 0
    indptr = np.concatenate([[0], np.cumsum(valid.sum(axis=1))])
    x = csr_matrix((np.ones(int(indptr[-1]), dtype=np.float32),
                    every[valid].astype(np.int32), indptr),
                   shape=(len(every), len(columns.vocab)))
    x.sort_indices()
    where = np.vstack(wheres).astype(np.int32) if wheres else np.zeros((0, 3), dtype=np.int32)
    return Rows(x, ys, where, columns.vocab)
