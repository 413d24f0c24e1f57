"""The text that near-duplicate detection sees, in pieces of bounded size.

A signature hashes the k-code-point windows (shingles) of the text after lowercasing and
collapsing whitespace runs to one space. `segments` yields that normalized text in pieces of
about `SEGMENT` code points that overlap by k - 1, so that every window lies in exactly one
piece: hashing piece by piece gives the same shingles as hashing the whole text, while the
memory a long text costs stays bounded (a 200 MB text used to be normalized, then turned
into arrays of 8-byte code points and hashes, 40+ bytes a character, all at once).

Texts of at most `SEGMENT` code points are one piece, normalized exactly as before. A longer
text is lowercased and split a piece at a time, each piece cut after a whitespace character
near its end (so that whitespace runs collapse and the context of a final sigma is the same);
only a word longer than `_LOOKBACK` code points can be cut, where at most the case of a final
sigma at the cut could differ from the one-piece result.
"""

from collections.abc import Iterator

__all__ = ["SEGMENT", "normalize", "segments", "shingle_set"]

SEGMENT = 1 << 16
_LOOKBACK = 1024


def normalize(text: str) -> str:
    return " ".join(text.lower().split())


def shingle_set(text: str, k: int = 5) -> set[str]:
    """The shingles of `text`, exactly as the finder sees them (the reference for tests)."""
    norm = normalize(text)
    if 0 < len(norm) < k:
        norm += "\0" * (k - len(norm))
    return {norm[i : i + k] for i in range(len(norm) - k + 1)}


def segments(text: str, k: int) -> Iterator[str]:
    """The normalized text in overlapping pieces (none for a text that normalizes to "");
    a normalized text shorter than k is one piece padded with NULs to k."""
    size = SEGMENT
    if len(text) <= size:
        norm = normalize(text)
        if norm:
            yield norm if len(norm) >= k else norm + "\0" * (k - len(norm))
        return
    buf, fresh, emitted = "", False, False
    for part in _normalized_parts(text, size):
        buf += part
        fresh = True
        if len(buf) >= size:
            yield buf
            buf, fresh, emitted = buf[len(buf) - (k - 1):] if k > 1 else "", False, True
    if emitted and fresh:
        yield buf
    elif not emitted and buf:
        yield buf if len(buf) >= k else buf + "\0" * (k - len(buf))


def _normalized_parts(text: str, size: int) -> Iterator[str]:
    """`normalize(text)`, a piece at a time: their concatenation is the normalized text."""
    at, started, space = 0, False, False
    while at < len(text):
        end = _cut(text, at, min(at + size, len(text)))
        piece, at = text[at:end], end
        core = " ".join(piece.lower().split())
        if not core:  # whitespace only
            space = started
            continue
        yield (" " if started and (space or piece[0].isspace()) else "") + core
        started, space = True, piece[-1].isspace()


def _cut(text: str, start: int, end: int) -> int:
    """`end`, moved back to just after the last whitespace character within `_LOOKBACK`."""
    if end >= len(text):
        return end
    for i in range(end - 1, max(start, end - _LOOKBACK) - 1, -1):
        if text[i].isspace():
            return i + 1
    return end
