"""The numpy tokenizer against the regex one, and token-level counts against the full BIO matrix."""

import random

import numpy as np
import pytest

from annotation.pure.agreement import categorical as cat
from annotation.pure.agreement.alpha import coincidences_from_codes
from annotation.pure.agreement.bio import bio_matrix, corpus_tokens
from annotation.pure.agreement.inputs import LabelMeta, parse
from annotation.pure.agreement.tokenizer import block_tokens
from annotation.pure.agreement.tokenlevel import token_agreement
from annotation.pure.tokens import token_offsets

# Word characters, whitespace of several kinds, punctuation, CJK and kana, and every kind of
# character that makes the regex look at neighbours: combining marks, ZWJ and ZWNJ, variation
# selectors, skin tones, tag characters, regional indicators.
ALPHABET = ["a", "Z", "7", "_", "é", "ß", "ж", "ش", "א", " ", "\n", "\t", "\xa0", "\x1c",
            "\u3000", ".", ",", "'", "!", "，", "。", "中", "国", "ひ", "カ", "한", "\u3005",
            "😀", "👩", "💻", "\U0001f3fd", "\u200d", "\u200c", "\ufe0f", "\u0301", "\u20e3",
            "\U000e0067", "\U0001f1eb", "\U0001f1f7", "$", "€", "\ud800"]


def joined(texts: list[str]) -> tuple[str, np.ndarray, np.ndarray]:
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
    return "\n".join(texts), start, start + lengths


@pytest.mark.slow  # all 1.1M code points
def test_every_code_point_splits_and_joins_as_the_regex_does():
    # each code point alone, and between two word characters (does it join, split, attach?)
    texts = [f"{chr(c)} a{chr(c)}b" for c in range(0x110000)]
    text, start, end = joined(texts)
    starts, ends = block_tokens(text, start, end)
    assert np.array_equal(np.stack([starts, ends], axis=1), token_offsets(text))


def test_random_documents_simple_and_not_tokenize_as_the_regex_does():
    rng = random.Random(3)
    plain = [c for c in ALPHABET if c.isalnum() or c.isspace() or c in ".,'!，。$€"]
    for _ in range(200):
        texts = ["".join(rng.choices(ALPHABET if rng.random() < 0.3 else plain,
                                     k=rng.randint(0, 40))) for _ in range(rng.randint(1, 6))]
        text, start, end = joined(texts)
        starts, ends = block_tokens(text, start, end)
        assert np.array_equal(np.stack([starts, ends], axis=1).reshape(-1, 2),
                              token_offsets(text).reshape(-1, 2)), texts


def random_corpus(seed: int, n_docs: int = 60) -> tuple[list[dict], LabelMeta]:
    rng = random.Random(seed)
    labels = LabelMeta(entities=["PER", "ORG", "LOC"])
    words = ["Alice", "met", "Bob", "in", "Paris", "马云", "在", "杭州", "👩‍💻", "ok", "!", "  "]
    docs = []
    for d in range(n_docs):
        text = " ".join(rng.choices(words, k=rng.randint(0, 15)))
        annotations: dict = {}
        for who in ("ann", "bob", "cat"):
            if rng.random() < 0.25:
                continue  # did not submit: missing, not O
            entities = []
            for _ in range(rng.randint(0, 4) if text else 0):
                start = rng.randrange(len(text))
                end = min(len(text), start + rng.randint(1, 9))  # may overlap, may be blank
                entities.append({"start": start, "end": end, "label": rng.choice(labels.entities)})
            annotations[who] = {"entities": entities}
        docs.append({"id": d, "text": text, "annotations": annotations})
    return docs, labels


@pytest.mark.parametrize(("seed", "block_chars"), [(1, 1 << 20), (2, 64), (3, 1)])
def test_token_agreement_equals_counting_the_full_bio_matrix(seed, block_chars):
    docs, labels = random_corpus(seed)
    corpus = parse(docs, labels)
    k = 1 + 2 * len(corpus.entity_labels)
    codes = bio_matrix(corpus.spans, corpus_tokens(corpus.texts), corpus.submitted)
    counted = token_agreement(corpus.spans, corpus.texts, corpus.submitted,
                              len(corpus.entity_labels), block_chars=block_chars)
    assert counted.tokens == int(((codes >= 0).sum(axis=0) >= 2).sum()) > 0
    np.testing.assert_allclose(counted.coincidences, coincidences_from_codes(codes, k),
                               rtol=1e-12, atol=1e-9)
    assert sorted(counted.confusion) == [(0, 1), (0, 2), (1, 2)]
    for (a, b), conf in counted.confusion.items():
        assert conf.tolist() == cat.confusion(cat.pair_cells(codes, a, b, k), k).tolist()


def test_token_agreement_with_no_shared_document_is_empty():
    docs = [{"text": "Alice met Bob", "annotations": {"a": {"entities": []}}},
            {"text": "Paris", "annotations": {"b": {"entities": []}}}]
    corpus = parse(docs, LabelMeta(entities=["PER"]))
    counted = token_agreement(corpus.spans, corpus.texts, corpus.submitted, 1)
    assert counted.tokens == 0
    assert counted.coincidences.sum() == 0
    assert all(c.sum() == 0 for c in counted.confusion.values())
