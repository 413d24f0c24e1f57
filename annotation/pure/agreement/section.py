"""A report section under construction: its JSON dict, notes, and statistics to bootstrap."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotation.pure.agreement.bootstrap import Statistic


@dataclass
class Section:
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[dict[str, str]] = field(default_factory=list)
    bootstrap: dict[str, tuple[Statistic, int]] = field(default_factory=dict)  # key -> (f, n)
    per_document: np.ndarray | None = None  # agreement in [0, 1] per document, NaN if none

    def note(self, statistic: str, message: str) -> None:
        self.notes.append({"statistic": f"{self.name}.{statistic}", "message": message})


def mean_defined(values: list[float | None]) -> float | None:
    """The mean of the values that are not None; None if there are none."""
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else None


def value(x: float | np.floating | np.ndarray | None) -> float | None:
    """A plain float, or None for a missing or NaN value."""
    if x is None:
        return None
    f = float(x)
    return None if np.isnan(f) else f
