"""Compact maps from 64-bit keys to integers, for the millions of keys an import remembers.

A Python set or dict of a million ints costs about 70-100 MB, and a set of ints is traversed
by every full garbage collection (one cache miss per int). `KeyMap` keeps its keys in a sorted
numpy array with a parallel array of values (16 bytes a key, 12 with int32 values), plus a dict
of the most recent keys that is merged into the arrays when it grows past `pending` (16,384:
about 1.5 MB of dict; each merge copies the arrays, 0.3 s in all at a million keys).

`StringKeys` stores each string's UTF-8 bytes once plus 4-byte offsets and values while they
fit (8-byte beyond): about 31 MB for a million 11-character ids instead of 50.
"""

from array import array

import numpy as np

__all__ = ["KeyMap", "StringKeys", "text_key"]

MASK = (1 << 64) - 1
PENDING = 1 << 14


def text_key(text: str) -> int:
    """A string's 64-bit key for this process (Python's keyed string hash)."""
    return hash(text) & MASK


class KeyMap:
    """uint64 key -> integer value (int64, or `values` for a narrower dtype whose range the
    caller guarantees). Lookups cost about a microsecond."""

    def __init__(self, pending: int = PENDING, values: type = np.int64) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._values: np.ndarray = np.empty(0, dtype=values)
        self._pending: dict[int, int] = {}  # ints only: not tracked by the garbage collector
        self._limit = pending
        # A bit per (low bits of a) key in the arrays: most lookups of absent keys end here.
        self._bits = bytearray(1 << 12)
        self._mask = (len(self._bits) << 3) - 1

    def __len__(self) -> int:
        return len(self._keys) + len(self._pending)

    def __contains__(self, key: int) -> bool:
        return key in self._pending or self._index(key) >= 0

    def get(self, key: int) -> int | None:
        value = self._pending.get(key)
        if value is not None:
            return value
        i = self._index(key)
        return self._values.item(i) if i >= 0 else None

    def setdefault(self, key: int, value: int) -> int:
        """The key's value, after storing `value` for it if it had none."""
        found = self.get(key)
        if found is not None:
            return found
        self._pending[key] = value
        if len(self._pending) >= self._limit:
            self._merge()
        return value

    def set(self, key: int, value: int) -> None:
        i = self._index(key)
        if i >= 0:
            self._values[i] = value
            return
        self._pending[key] = value
        if len(self._pending) >= self._limit:
            self._merge()

    def update(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Add many keys at once; for a key already present, or repeated, the first value wins."""
        self._merge()
        keys = np.concatenate([self._keys, keys.astype(np.uint64)])
        values = np.concatenate([self._values, values.astype(self._values.dtype)])
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        self._keys, self._values = keys[first], values[first]
        self._mark(self._keys)

    def _index(self, key: int) -> int:
        if not self._bits[(key & self._mask) >> 3] >> (key & 7) & 1:
            return -1
        keys = self._keys
        i = int(keys.searchsorted(np.uint64(key)))  # a Python int would convert `keys`
        return i if i < len(keys) and keys.item(i) == key else -1

    def _mark(self, new: np.ndarray) -> None:
        """Set the bits of `new` keys; at 16 bits a key (about 6% of misses then search)
        the bits double in size and are set again for all keys."""
        size = len(self._bits)
        if size * 8 < 16 * len(self._keys):
            while size * 8 < 16 * len(self._keys):
                size *= 2
            self._bits, self._mask, new = bytearray(size), size * 8 - 1, self._keys
        bits = np.frombuffer(self._bits, dtype=np.uint8)
        low = (new & np.uint64(self._mask)).astype(np.int64)
        np.bitwise_or.at(bits, low >> 3, np.left_shift(1, low & 7).astype(np.uint8))

    def _merge(self) -> None:
        if not self._pending:
            return
        new = np.fromiter(self._pending.keys(), dtype=np.uint64, count=len(self._pending))
        values = np.fromiter(self._pending.values(), dtype=self._values.dtype,
                             count=len(self._pending))
        order = np.argsort(new)
        new, values = new[order], values[order]
        at = self._keys.searchsorted(new)
        self._keys = np.insert(self._keys, at, new)
        self._values = np.insert(self._values, at, values)
        self._pending = {}
        self._mark(new)


class StringKeys:
    """Strings seen so far -> an int each (the first one given), exactly, in compact form.

    Strings are stored once, UTF-8 encoded, in one buffer; a `KeyMap` finds them by their
    64-bit key, and a hit is confirmed against the stored bytes. The rare string whose key
    collides with another's is kept in a plain dict.
    """

    def __init__(self) -> None:
        self._index = KeyMap(values=np.int32)  # key -> slot (fewer than 2**31 strings)
        self._data = bytearray()
        self._ends = array("I")  # where slot i's bytes end in _data ("q" past 4 GB)
        self._values = array("i")  # ("q" for values beyond int32)
        self._collided: dict[str, int] = {}

    def setdefault(self, text: str, value: int) -> int:
        if text in self._collided:
            return self._collided[text]
        raw = text.encode("utf-8", "surrogatepass")
        slot = len(self._ends)
        found = self._index.setdefault(text_key(text), slot)
        if found == slot:
            self._store(raw, value)
            return value
        start = self._ends[found - 1] if found else 0
        if self._data[start:self._ends[found]] == raw:
            return self._values[found]
        self._collided[text] = value
        return value

    def _store(self, raw: bytes, value: int) -> None:
        self._values = _append(self._values, value)
        self._data += raw
        self._ends = _append(self._ends, len(self._data))


def _append(numbers: array, value: int) -> array:
    """`numbers` with `value` appended, widened to 64-bit first if it does not fit."""
    try:
        numbers.append(value)
    except OverflowError:
        numbers = array("q", numbers)
        numbers.append(value)
    return numbers
