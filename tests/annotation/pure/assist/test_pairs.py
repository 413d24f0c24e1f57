"""The relation agent's candidate pairs, and the feature matrix made with numpy checked
against the features defined one pair at a time as strings."""

import random

import numpy as np
import pytest

from annotation.pure.assist import pairs
from annotation.pure.assist.base import GoldDoc
from tests.annotation.pure.assist.corpora import relation_docs


def test_candidate_pairs_are_near() -> None:
    entities = [(0, 1, "A"), (300, 301, "B"), (2, 3, "C")]
    assert set(pairs.pairs(entities)) == {(0, 2), (2, 0)}
    many = [(i * 2, i * 2 + 1, "X") for i in range(10)]
    assert (0, pairs.MAX_GAP) in set(pairs.pairs(many))
    assert (0, pairs.MAX_GAP + 1) not in set(pairs.pairs(many))


def _mixed_docs(n: int, seed: int) -> list[GoldDoc]:
    """Texts in English, Chinese and emoji with entities at random token spans (touching,
    nested, far apart, the same span under two labels), words repeated between them and
    gaps longer than MAX_WORDS."""
    rng = random.Random(seed)
    words = ["the", "The", "bank", "银行", "北京", "said", "😀", "of", "Acme", "and", "。", "x1"]
    docs = []
    for _ in range(n):
        text = ""
        spans: list[tuple[int, int]] = []
        for _ in range(rng.randint(0, 60)):
            word = rng.choice(words)
            start = len(text) + (1 if text else 0)
            text += (" " if text else "") + word
            spans.append((start, len(text)))
        entities = set()
        for _ in range(rng.randint(0, 12) if spans else 0):
            i = rng.randrange(len(spans))
            j = min(len(spans) - 1, i + rng.randint(0, 2))
            entities.add((spans[i][0], spans[j][1], rng.choice(["PER", "ORG", "LOC"])))
        ordered = tuple(sorted(entities))
        relations = tuple((h, t, rng.choice(["works_for", "in"]))
                          for h, t in pairs.pairs(ordered) if rng.random() < 0.2)
        docs.append(GoldDoc(text, ordered, relations=relations))
    return docs


def _reference(docs: list[GoldDoc], vocabulary: dict[str, int] | None,
               related: frozenset[tuple[str, str]] | None = None) -> tuple:
    """The rows from `features`, one string per feature, in `pairs`' order."""
    vocab = {} if vocabulary is None else vocabulary
    sets, ys, where = [], [], []
    for d, doc in enumerate(docs):
        tokens, gold = pairs.Tokens.of(doc.text), pairs.gold_of(doc)
        for pair in pairs.pairs(doc.entities):
            labels = (doc.entities[pair[0]][2], doc.entities[pair[1]][2])
            if related is not None and labels not in related and labels[::-1] not in related:
                continue
            names = pairs.features(tokens, doc.entities, pair)
            sets.append({n for n in names if vocabulary is None or n in vocab})
            ys.append(gold.get(pair, pairs.NONE))
            where.append((d, *pair))
    return sets, ys, where


@pytest.mark.parametrize(("seed", "related"), [
    (1, None), (2, None), (3, None),
    (1, frozenset({("PER", "ORG"), ("ORG", "LOC")})), (2, frozenset({("LOC", "LOC")})),
    (3, frozenset())])
def test_rows_equal_the_features_defined_pair_by_pair(
        seed: int, related: frozenset[tuple[str, str]] | None) -> None:
    far = pairs.MAX_CHARS
    edge = GoldDoc("a" + " " * (far - 1) + "b" + " " * far + "c",
                   ((0, 1, "X"), (far, far + 1, "Y"), (2 * far + 1, 2 * far + 2, "Z")))
    docs = [edge, *_mixed_docs(40, seed), *relation_docs(20, seed=seed)]
    made = pairs.rows(docs, related=related)
    sets, ys, where = _reference(docs, None, related)
    assert len(sets) > 0 or related == frozenset()
    names = {column: name for name, column in made.vocabulary.items()}
    got = [{names[c] for c in made.x[r].indices} for r in range(made.x.shape[0])]
    assert got == sets
    assert made.ys == ys
    assert made.where.tolist() == [list(w) for w in where]
    assert set(made.x.data.tolist()) <= {1.0}
    # every column is used by some row
    assert set(np.unique(made.x.indices).tolist()) >= {
        c for n, c in made.vocabulary.items() if not n.startswith("d=")}


def test_rows_with_a_fixed_vocabulary_drop_unknown_features() -> None:
    fitted = pairs.rows(_mixed_docs(30, 4))
    vocabulary = dict(fitted.vocabulary)
    docs = [*_mixed_docs(30, 5), GoldDoc("unseen words here", ((0, 6, "NEW"), (13, 17, "PER")))]
    made = pairs.rows(docs, vocabulary)
    assert made.vocabulary == vocabulary
    assert made.x.shape[1] == len(vocabulary)
    sets, _ys, _where = _reference(docs, vocabulary)
    names = {column: name for name, column in vocabulary.items()}
    assert [{names[c] for c in made.x[r].indices} for r in range(made.x.shape[0])] == sets


def test_rows_of_documents_without_pairs() -> None:
    made = pairs.rows([GoldDoc("none"), GoldDoc("one", ((0, 3, "X"),))])
    assert made.x.shape[0] == 0
    assert made.ys == []
    assert made.where.shape == (0, 3)
