"""The DocBin writer's building blocks against the real thing: the MessagePack encoder against
srsly (what spaCy uses), MurmurHash64A and string ids against spaCy's StringStore."""

import random

import srsly
from spacy.strings import StringStore, get_string_id, hash_string
from spacy.symbols import NAMES

from annotation.pure.exports import msgpack
from annotation.pure.exports.murmur import hash_string as our_hash
from annotation.pure.exports.murmur import string_id
from annotation.pure.exports.spacy_symbols import SYMBOLS

ALPHABET = "aZ09 _-\n\t\u00e9\u0308\u05d0\u0627\u4e2d\u3042\ud55c\U0001f469\u200d\U0001f1ef"


def random_text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def random_value(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        bits = rng.choice([4, 7, 8, 15, 16, 31, 32, 63])
        return rng.randrange(-(2 ** bits), 2 ** bits)
    if kind == 2:
        return rng.choice([0.0, -1.5, 1e300, 3.141592653589793, rng.random()])
    if kind == 3:
        return random_text(rng, rng.choice([0, 5, 31, 32, 255, 256, 300]))
    if kind == 4:
        return rng.randbytes(rng.choice([0, 1, 255, 256, 70000]))
    if kind == 5:
        return rng.choice([2 ** 64 - 1, -(2 ** 63), 2 ** 32, -33, -32, 127, 128])
    if kind in (6, 7):
        return [random_value(rng, depth + 1) for _ in range(rng.choice([0, 3, 15, 16, 40]))]
    return {random_text(rng, rng.randrange(6)): random_value(rng, depth + 1)
            for _ in range(rng.choice([0, 2, 15, 16, 20]))}


def test_msgpack_matches_srsly_byte_for_byte() -> None:
    rng = random.Random(7)
    for _ in range(300):
        value = random_value(rng)
        assert msgpack.packb(value) == srsly.msgpack_dumps(value)


def test_msgpack_headers_at_their_limits() -> None:
    for n in (0, 15, 16, 31, 32, 255, 256, 65535, 65536):
        assert msgpack.packb("x" * n) == srsly.msgpack_dumps("x" * n)
        assert msgpack.packb(b"x" * n) == srsly.msgpack_dumps(b"x" * n)
        assert msgpack.packb([0] * n) == srsly.msgpack_dumps([0] * n)
    big = {str(i): i for i in range(65536)}
    assert msgpack.packb(big) == srsly.msgpack_dumps(big)
    # tuple keys, as in Doc.user_data, come back as tuples
    data = {("._.", "relations", None, None): [{"head": [0, 5]}]}
    assert srsly.msgpack_loads(msgpack.packb(data), use_list=False) == {
        ("._.", "relations", None, None): ({"head": (0, 5)},)}


def test_murmurhash_matches_spacy() -> None:
    rng = random.Random(11)
    texts = ["", "a", "PER", "阿里巴巴", "👩\u200d👩\u200d👧", "🇯🇵", "שלום", "مرحبا"]
    texts += [random_text(rng, n) for n in range(40) for _ in range(30)]
    for text in texts:
        assert our_hash(text) == hash_string(text), text


def test_string_ids_match_the_string_store() -> None:
    assert tuple(NAMES) == SYMBOLS
    store = StringStore()
    for text in [*SYMBOLS, "", "ORG", "PERSON", "nsubj", "Alice", "阿", "works_for", "🎉"]:
        assert string_id(text) == get_string_id(text), text
        if text:
            assert store.add(text) == string_id(text)
