"""Artifacts: every agent's model survives dump/load, a changed byte is caught, and the
training set's digest is stable."""

import pickle
from typing import Any

import pytest

from annotation.pure.assist import crf, dictionary, relation, sentiment
from annotation.pure.assist.artifact import (
    ArtifactError,
    digest,
    dump,
    load,
    training_sha256,
)
from annotation.pure.assist.base import GoldDoc
from tests.annotation.pure.assist.corpora import entity_docs, relation_docs, sentiment_docs


@pytest.mark.parametrize(("module", "docs", "fresh"), [
    (dictionary, entity_docs(20, seed=1, emoji=True), entity_docs(5, seed=2, zh=True)),
    (crf, entity_docs(20, seed=1, zh=True), entity_docs(5, seed=2, zh=True, emoji=True)),
    (sentiment, sentiment_docs(20, seed=1, lang="zh"), sentiment_docs(5, seed=2)),
    (relation, relation_docs(80, seed=1), relation_docs(5, seed=2)),
])
def test_round_trip_predicts_the_same(module: Any, docs: list, fresh: list) -> None:
    trained = module.train(docs, folds=2)
    assert trained.model is not None, trained.reason
    data = dump(trained.model)
    copy = load(data, digest(data))
    assert module.predict(copy, fresh) == module.predict(trained.model, fresh)


def test_flipped_byte_is_caught() -> None:
    data = dump(dictionary.build(entity_docs(10)))
    sha = digest(data)
    corrupt = bytearray(data)
    corrupt[len(corrupt) // 2] ^= 0x01
    with pytest.raises(ArtifactError, match="corrupt or was replaced"):
        load(bytes(corrupt), sha)
    assert load(data, sha.upper()).patterns == dictionary.build(entity_docs(10)).patterns


def test_unreadable_data_with_a_matching_digest() -> None:
    for data in (b"not a pickle", pickle.dumps({"a": 1})[:-3]):
        with pytest.raises(ArtifactError, match="cannot be read"):
            load(data, digest(data))


def test_digest_is_sha256_hex() -> None:
    assert digest(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_training_sha256_is_canonical() -> None:
    a = GoldDoc("Ann met Bob", ((0, 3, "PER"), (8, 11, "PER")), ((0, 1, "knows"),),
                ("pos", "calm"))
    b = GoldDoc("😀 second", sentiment=("neg",))
    same_a = GoldDoc(a.text, (a.entities[1], a.entities[0]), ((1, 0, "knows"),),
                     ("calm", "pos"), meta={"id": 7})
    base = training_sha256([a, b])
    assert len(base) == 64
    assert training_sha256([b, same_a]) == base
    assert training_sha256([a]) != base
    assert training_sha256([GoldDoc(a.text, a.entities, ((1, 0, "knows"),), a.sentiment),
                            b]) != base
    assert training_sha256([GoldDoc(a.text, ((0, 3, "LOC"), a.entities[1]), a.relations,
                                    a.sentiment), b]) != base
