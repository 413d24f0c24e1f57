"""MurmurHash64A with seed 1 over UTF-8: spaCy's ``hash_string``, and ``string_id``, the id
spaCy's StringStore gives a string (its symbol number for the symbols, 0 for "")."""

from annotation.pure.exports.spacy_symbols import SYMBOLS

_M = 0xC6A4A7935BD1E995
_MASK = 0xFFFFFFFFFFFFFFFF
_SYMBOL_IDS = {name: number for number, name in enumerate(SYMBOLS)}


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """Austin Appleby's MurmurHash64A (little-endian blocks), as an unsigned 64-bit int."""
    length = len(data)
    h = (seed ^ (length * _M)) & _MASK
    blocks = length - length % 8
    for offset in range(0, blocks, 8):
        k = (int.from_bytes(data[offset:offset + 8], "little") * _M) & _MASK
        k ^= k >> 47
        k = (k * _M) & _MASK
        h = ((h ^ k) * _M) & _MASK
    if length % 8:
        h = ((h ^ int.from_bytes(data[blocks:], "little")) * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    return h ^ (h >> 47)


def hash_string(text: str) -> int:
    """``spacy.strings.hash_string``."""
    return murmurhash64a(text.encode("utf-8"))


def string_id(text: str) -> int:
    """``spacy.strings.get_string_id``: what a Doc stores for a string."""
    if not text:
        return 0
    symbol = _SYMBOL_IDS.get(text)
    return symbol if symbol is not None else hash_string(text)
