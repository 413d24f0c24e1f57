"""Label balance: each label's share of its kind, and which labels fall under a floor."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    share: float | None  # None when the kind has no labels at all in this data
    low: bool  # under the floor: a label this rare will be learned badly, if at all


def shares(labels: Sequence[str], counts: Sequence[int], min_share: float) -> list[Share]:
    """One Share per label, in the given order. A label (unused ones included) whose share
    of the kind's total is under ``min_share`` is ``low``; nothing is low when the total is 0."""
    total = sum(counts)
    out = []
    for label, count in zip(labels, counts, strict=True):
        share = count / total if total else None
        out.append(Share(label, int(count), share, share is not None and share < min_share))
    return out


def spread(values: Sequence[float | None]) -> float | None:
    """max - min of the defined values (how far slices differ); None below two values."""
    defined = [v for v in values if v is not None]
    return max(defined) - min(defined) if len(defined) >= 2 else None
