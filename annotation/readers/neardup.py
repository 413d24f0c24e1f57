"""Near-duplicate documents: MinHash signatures, LSH banding, Jaccard verification.

Shingles are the k-code-point windows (default k=5) of the text after lowercasing and collapsing
whitespace runs to one space, so the same code serves Chinese and English. A text shorter than
k is one shingle (padded with NULs); an empty one is not indexed (`skipped` counts it).

Design (all vectorized with numpy over batches of `BATCH` documents; no Python loop per
shingle or per permutation):

- Shingle hashes: a multilinear hash of the k code points (random odd 64-bit multipliers) over
  the UTF-32 array of up to `GROUP` code points of the batch at a time (a long text in
  overlapping pieces, `shingles.segments`), finished with the murmur3 64-bit mixer; each
  piece's minima fold into its document's bins, so memory is bounded whatever a text's size.
- Signature: one-permutation MinHash (Li, Owen and Zhang 2012) with rotation densification
  (Shrivastava and Li 2014): the top 7 hash bits pick one of 128 bins, the next 32 bits are the
  value, each bin keeps its minimum, an empty bin borrows the next non-empty bin's value
  (plus an offset per step). Each bin then collides with probability J, like a classic
  128-permutation MinHash, at O(shingles) instead of O(shingles x 128) work.
- LSH: `bands` x `rows` of the 128 values, chosen by minimizing the same weighted
  false-positive/false-negative objective as datasketch's `MinHashLSH` optimizer
  (`datasketch.lsh._optimal_param`, weights 0.1/0.9 because every candidate is verified), with
  at most 16 bands; 0.85 gives 11 bands of 11 rows. One 32-bit hash per band and document
  (a 32-bit collision only adds a candidate, which verification rejects).
- Verification: a 4-bit b-bit MinHash (Li and König 2010) of all 128 values, packed in 64 bytes:
  J is estimated as (equal fraction - 1/16) / (15/16), standard error about 0.033 at J=0.85.
- Candidates are found in `groups()` by sorting each band column: each document in a bucket is
  paired with the bucket's first member and with its predecessor; the verified pairs are
  merged with a vectorized union-find; connected groups are reported.

Storage: 8 (key) + 1 (existing flag) + 64 (signature) + 4 x bands (44) = 117 bytes a document,
in chunks of 16,384 documents. Only the open chunk is in memory (1.9 MB); each full chunk is
written to an unnamed temporary file (`spill_dir`, default the system's), since `groups()` needs
one band column at a time, and the signatures and keys of the few candidates only: it reads a
band column (4 bytes a document) per band, and a chunk's signatures (or single rows) when its
documents are candidates. At 1,000,000 documents: 1.9 MB in memory instead of 123 MB, a 117 MB
file (in the page cache, which the kernel may write out and reclaim), and the peak of
`groups()` is a band column, its sort order and the union-find array (~30 MB); adding costs
~19 us a document, `groups()` 1.3 s. datasketch itself is not imported at run time:
importing it loads scipy (+60 MB resident), and its `MinHash.update_batch`/`bulk` cost
700-1200 us a document here (one hash per shingle per permutation, in Python) against ~20 us.
"""

import os
import tempfile
from collections.abc import Iterable
from functools import cache
from typing import IO

import numpy as np

from annotation.readers.shingles import segments, shingle_set

__all__ = ["NearDuplicateFinder", "lsh_params", "shingle_set"]

NUM_PERM = 128
MAX_BANDS = 16
BATCH = 1024
GROUP = 1 << 19  # code points hashed at once: bounds the hashing arrays (~60 bytes each)
CHUNK = 1 << 14
_SIG_BYTES = NUM_PERM // 2
_U64 = np.uint64
_ZERO_NIBBLES = np.array([(x & 15 == 0) + (x >> 4 == 0) for x in range(256)], dtype=np.uint8)


@cache
def lsh_params(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows) minimizing 0.1 x P(false positive) + 0.9 x P(false negative)."""
    s = np.linspace(0.0, 1.0, 2001)
    best, best_error = (1, 1), float("inf")
    for b in range(1, min(num_perm, MAX_BANDS) + 1):
        for r in range(1, num_perm // b + 1):
            miss = (1 - s**r) ** b
            fp = np.trapezoid(np.where(s <= threshold, 1 - miss, 0), s)
            fn = np.trapezoid(np.where(s >= threshold, miss, 0), s)
            error = float(0.1 * fp + 0.9 * fn)
            if error < best_error:
                best, best_error = (b, r), error
    return best


def _fmix64(h: np.ndarray) -> np.ndarray:
    h ^= h >> _U64(33)
    h *= _U64(0xFF51AFD7ED558CCD)
    h ^= h >> _U64(33)
    h *= _U64(0xC4CEB9FE1A85EC53)
    h ^= h >> _U64(33)
    return h


def _find(parent: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    roots = parent[nodes]
    while True:
        up = parent[roots]
        if np.array_equal(up, roots):
            return roots
        roots = up


class NearDuplicateFinder:
    """Collects documents with `add`/`add_many`, then reports near-duplicate `groups()`."""

    def __init__(self, threshold: float = 0.85, shingle: int = 5, seed: int = 1,
                 spill_dir: str | None = None) -> None:
        self.threshold = threshold
        self.shingle = shingle
        self.bands, self.rows = lsh_params(threshold)
        rng = np.random.default_rng(seed)
        self._mult = rng.integers(0, 2**63, shingle, dtype=np.uint64) * _U64(2) + _U64(1)
        self._seed = rng.integers(0, 2**63, dtype=np.uint64)
        self._step = np.uint32(rng.integers(0, 2**31) * 2 + 1)
        self._band_mult = rng.integers(0, 2**63, self.rows, dtype=np.uint64) * _U64(2) + _U64(1)
        self._band_salt = rng.integers(0, 2**63, (1, self.bands), dtype=np.uint64)
        self._pending: list[tuple[int, str, bool]] = []
        # The open chunk; full chunks are in the spill file, each as these four blocks.
        self._sig_chunk = np.empty((CHUNK, _SIG_BYTES), dtype=np.uint8)
        self._band_chunk = np.empty((self.bands, CHUNK), dtype=np.uint32)
        self._key_chunk = np.empty(CHUNK, dtype=np.int64)
        self._old_chunk = np.empty(CHUNK, dtype=bool)
        self._spill_dir = spill_dir
        self._spill: IO[bytes] | None = None
        self._spilled = 0  # chunks written
        self.count = 0  # documents indexed
        self.skipped = 0  # empty after normalization

    def add(self, key: int, text: str, existing: bool = False) -> None:
        """Index one document; `existing` marks the project's stored documents, so that a group
        made only of them is not reported."""
        self._pending.append((key, text, existing))
        if len(self._pending) >= BATCH:
            self._flush()

    def add_many(self, items: Iterable[tuple[int, str]], existing: bool = False) -> None:
        for key, text in items:
            self.add(key, text, existing)

    def memory_bytes(self) -> int:
        """Bytes held in memory by the index arrays (the spilled chunks not counted)."""
        return self._chunk_bytes

    def spilled_bytes(self) -> int:
        """Bytes written to the temporary file."""
        return self._spilled * self._chunk_bytes

    def close(self) -> None:
        """Drop the temporary file (also done when the finder is garbage-collected)."""
        if self._spill is not None:
            self._spill.close()
            self._spill = None

    @property
    def _chunk_bytes(self) -> int:
        return sum(block.nbytes for block in self._blocks())

    def _blocks(self) -> tuple[np.ndarray, ...]:
        return self._sig_chunk, self._band_chunk, self._key_chunk, self._old_chunk

    def _spill_chunk(self) -> None:
        """Write the full open chunk: signatures, band hashes band by band, keys, flags."""
        if self._spill is None:
            # Kept open until close() or garbage collection; unnamed, so nothing is left behind.
            self._spill = tempfile.TemporaryFile(dir=self._spill_dir)  # noqa: SIM115
        self._spill.seek(self._spilled * self._chunk_bytes)
        for block in self._blocks():
            self._spill.write(block.data)
        self._spill.flush()
        self._spilled += 1

    def _read(self, chunk: int, offset: int, dtype: type, count: int) -> np.ndarray:
        assert self._spill is not None
        at = chunk * self._chunk_bytes + offset
        size = count * np.dtype(dtype).itemsize
        data = os.pread(self._spill.fileno(), size, at)
        if len(data) != size:
            raise OSError(f"short read from the near-duplicate spill file at {at}")
        return np.frombuffer(data, dtype=dtype)

    # -- hashing -------------------------------------------------------------------------------

    def _flush(self) -> None:
        """Sign the pending documents, their text hashed `GROUP` code points at a time (a long
        text in overlapping pieces, `shingles.segments`), so memory does not grow with it."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        n = len(pending)
        values = np.full((n, NUM_PERM), 0xFFFFFFFF, dtype=np.uint32)
        filled = np.zeros((n, NUM_PERM), dtype=bool)
        seen = np.zeros(n, dtype=bool)
        units: list[tuple[int, str]] = []
        size = 0
        for i, (_key, text, _existing) in enumerate(pending):
            for piece in segments(text, self.shingle):
                seen[i] = True
                units.append((i, piece))
                size += len(piece)
                if size >= GROUP:
                    self._accumulate(units, values, filled)
                    units, size = [], 0
        if units:
            self._accumulate(units, values, filled)
        kept = np.flatnonzero(seen)
        self.skipped += n - len(kept)
        if len(kept):
            sigs, bands = self._signatures(values[kept], filled[kept])
            self._store([pending[i] for i in kept], sigs, bands)

    def _shingle_hashes(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(hash, document index in batch) of every shingle of the batch."""
        k = self.shingle
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
        windows = len(codes) - k + 1
        hashes = codes[:windows] * self._mult[0]
        for j in range(1, k):
            hashes += codes[j : j + windows] * self._mult[j]
        doc = np.repeat(np.arange(len(texts)), lengths)[:windows]
        ends = np.cumsum(lengths)
        keep = np.arange(windows) + k <= ends[doc]
        hashes = hashes[keep]
        hashes ^= self._seed
        return _fmix64(hashes), doc[keep]

    def _accumulate(self, units: list[tuple[int, str]], values: np.ndarray,
                    filled: np.ndarray) -> None:
        """Fold the shingles of `units` (document row, piece) into the rows' MinHash bins."""
        rows = np.fromiter((row for row, _ in units), dtype=np.int64, count=len(units))
        hashes, unit = self._shingle_hashes([piece for _, piece in units])
        slot = rows[unit] * NUM_PERM + (hashes >> _U64(57)).astype(np.int64)
        np.minimum.at(values.reshape(-1), slot,
                      ((hashes >> _U64(25)) & _U64(0xFFFFFFFF)).astype(np.uint32))
        filled.reshape(-1)[slot] = True

    def _signatures(self, values: np.ndarray, filled: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
        """Packed 4-bit signatures (n, 64) uint8 and band hashes (bands, n) uint32."""
        n = len(values)
        sig = self._densify(values.reshape(n, NUM_PERM), filled.reshape(n, NUM_PERM))
        nibbles = (sig & np.uint32(15)).astype(np.uint8)
        packed = nibbles[:, 0::2] | (nibbles[:, 1::2] << np.uint8(4))
        rows = sig[:, : self.bands * self.rows].reshape(n, self.bands, self.rows)
        mixed = (rows.astype(np.uint64) * self._band_mult).sum(axis=2, dtype=np.uint64)
        mixed += self._band_salt
        band_hashes = (_fmix64(mixed) >> _U64(32)).astype(np.uint32)
        return packed, np.ascontiguousarray(band_hashes.T)

    def _densify(self, values: np.ndarray, filled: np.ndarray) -> np.ndarray:
        """Rotation densification: an empty bin takes the next non-empty bin's value (circular)
        plus `step` times the distance."""
        if filled.all():
            return values
        cols = np.arange(2 * NUM_PERM)
        where = np.where(np.concatenate([filled, filled], axis=1), cols, 2 * NUM_PERM)
        source = np.minimum.accumulate(where[:, ::-1], axis=1)[:, ::-1][:, :NUM_PERM]
        dist = (source - cols[:NUM_PERM]).astype(np.uint32)
        borrowed = np.take_along_axis(values, source % NUM_PERM, axis=1)
        return borrowed + dist * self._step

    def _store(
        self, batch: list[tuple[int, str, bool]], sigs: np.ndarray, bands: np.ndarray
    ) -> None:
        done = 0
        while done < len(batch):
            at = self.count % CHUNK
            if at == 0 and self.count:
                self._spill_chunk()
            take = min(CHUNK - at, len(batch) - done)
            part = batch[done : done + take]
            self._key_chunk[at : at + take] = [key for key, _, _ in part]
            self._old_chunk[at : at + take] = [flag for _, _, flag in part]
            self._sig_chunk[at : at + take] = sigs[done : done + take]
            self._band_chunk[:, at : at + take] = bands[:, done : done + take]
            done += take
            self.count += take

    # -- grouping ------------------------------------------------------------------------------

    def _gather(self, nodes: np.ndarray, block: int) -> np.ndarray:
        """Keys (block 2) or flags (block 3) of `nodes`, chunk by chunk."""
        blocks = self._blocks()
        out = np.empty(len(nodes), dtype=blocks[block].dtype)
        offset = sum(b.nbytes for b in blocks[:block])
        chunk_of = nodes // CHUNK
        for c in np.unique(chunk_of):
            mask = chunk_of == c
            if c == self._spilled:
                values = blocks[block]
            else:
                values = self._read(int(c), offset, blocks[block].dtype.type, CHUNK)
            out[mask] = values[nodes[mask] % CHUNK]
        return out

    def _band_column(self, band: int) -> np.ndarray:
        """One band's hashes for all documents (spilled chunks read back, then the open one)."""
        column = np.empty(self.count, dtype=np.uint32)
        offset = self._sig_chunk.nbytes + band * CHUNK * 4
        for c in range(self._spilled):
            column[c * CHUNK : (c + 1) * CHUNK] = self._read(c, offset, np.uint32, CHUNK)
        rest = self.count - self._spilled * CHUNK
        column[self._spilled * CHUNK :] = self._band_chunk[band, :rest]
        return column

    def _sig_block(self, chunk: int) -> np.ndarray:
        if chunk == self._spilled:
            return self._sig_chunk
        return self._read(chunk, 0, np.uint8, CHUNK * _SIG_BYTES).reshape(CHUNK, _SIG_BYTES)

    def _sig_rows(self, nodes: np.ndarray) -> np.ndarray:
        out = np.empty((len(nodes), _SIG_BYTES), dtype=np.uint8)
        chunk_of = nodes // CHUNK
        for c in np.unique(chunk_of):
            mask = chunk_of == c
            rows = nodes[mask] % CHUNK
            if c < self._spilled and len(rows) < 256:  # a few rows: read just those
                out[mask] = [self._read(int(c), int(r) * _SIG_BYTES, np.uint8, _SIG_BYTES)
                             for r in rows]
            else:
                out[mask] = self._sig_block(int(c))[rows]
        return out

    def _similar(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Which pairs have an estimated Jaccard >= threshold (in slices, to bound memory)."""
        keep = np.zeros(len(a), dtype=bool)
        for at in range(0, len(a), 1 << 16):
            part = slice(at, at + (1 << 16))
            equal = _ZERO_NIBBLES[self._sig_rows(a[part]) ^ self._sig_rows(b[part])].sum(axis=1)
            estimate = (equal / NUM_PERM - 1 / 16) / (15 / 16)
            keep[part] = estimate >= self.threshold
        return keep

    def _merge(self, parent: np.ndarray, a: np.ndarray, b: np.ndarray) -> bool:
        """Verify the candidate pairs not yet connected, and union the similar ones."""
        ra, rb = _find(parent, a), _find(parent, b)
        todo = ra != rb
        a, b = a[todo], b[todo]
        similar = self._similar(a, b)
        a, b = a[similar], b[similar]
        merged = len(a) > 0
        while len(a):
            ra, rb = _find(parent, a), _find(parent, b)
            todo = ra != rb
            a, b, ra, rb = a[todo], b[todo], ra[todo], rb[todo]
            np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        return merged

    def _band_pairs(self, band: int) -> tuple[np.ndarray, np.ndarray]:
        """Pairs within each bucket of one band: (first member, member), (previous, member).

        Only bucket members beyond the first are materialized, so the temporaries are the
        column, its sort order and a boolean per document.
        """
        column = self._band_column(band)
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        at = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1  # sorted positions, not 1st of bucket
        del column, ordered
        anchor = at - 1  # a member whose predecessor is the bucket's first...
        anchor[1:][at[1:] - 1 == at[:-1]] = 0  # ...or follows a member of the same bucket
        first = np.maximum.accumulate(anchor) if len(at) else anchor
        members = order[at]
        return np.concatenate([order[first], order[at - 1]]), np.tile(members, 2)

    def groups(self) -> list[list[int]]:
        """Groups of near-duplicate keys (each sorted, groups sorted by their first key); a group
        of `existing` documents only is left out."""
        self._flush()
        n = self.count
        if n == 0:
            return []
        parent = np.arange(n, dtype=np.int64)
        for band in range(self.bands):
            if self._merge(parent, *self._band_pairs(band)):
                parent = _find(parent, np.arange(n))  # flatten the trees
        sizes = np.bincount(parent, minlength=n)
        grouped = np.flatnonzero(sizes[parent] > 1)
        roots, keys = parent[grouped], self._gather(grouped, 2)
        existing = self._gather(grouped, 3)
        order = np.lexsort((keys, roots))
        cuts = np.flatnonzero(np.diff(roots[order])) + 1
        found = [
            group.tolist()
            for group, old in zip(
                np.split(keys[order], cuts), np.split(existing[order], cuts), strict=True
            )
            if not old.all()
        ]
        return sorted(found, key=lambda group: group[0])
