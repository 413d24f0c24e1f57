"""A text cut where labelled spans begin and end, for pages that show labels without
JavaScript: each piece with the labels covering it (overlapping spans give a piece several).
Offsets are code points; Django-free."""

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    text: str
    labels: tuple[str, ...]  # of the spans covering it, in the order the spans start
    start: int


def pieces(text: str, spans: Iterable[tuple[int, int, str]]) -> list[Piece]:
    """`text` in pieces at every span boundary; spans outside the text are clipped."""
    kept: Sequence[tuple[int, int, str]] = sorted(
        (max(0, s), min(len(text), e), label) for s, e, label in spans
        if min(len(text), e) > max(0, s))
    cuts = sorted({0, len(text), *(s for s, _e, _l in kept), *(e for _s, e, _l in kept)})
    out = []
    for start, end in itertools.pairwise(cuts):
        labels = tuple(label for s, e, label in kept if s <= start and end <= e)
        out.append(Piece(text[start:end], labels, start))
    return out
