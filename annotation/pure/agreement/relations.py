"""Relations: (head span, tail span, label) triples, head and tail matched by exact span.

Two relations match when their heads have the same (start, end, entity label), their tails
likewise, and their relation labels are equal. Counting follows spans.PairCounts.
"""

from dataclasses import dataclass

import numpy as np

from annotation.pure.agreement.spans import PairCounts, exact_pair_counts


@dataclass(frozen=True)
class RelationTable:
    doc: np.ndarray
    coder: np.ndarray
    head_start: np.ndarray
    head_end: np.ndarray
    head_label: np.ndarray
    tail_start: np.ndarray
    tail_end: np.ndarray
    tail_label: np.ndarray
    label: np.ndarray

    @classmethod
    def empty(cls) -> "RelationTable":
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, z, z, z, z, z, z)

    def __len__(self) -> int:
        return len(self.doc)


def relation_pair_counts(rel: RelationTable, a: int, b: int, shared: np.ndarray,
                         n_labels: int) -> PairCounts:
    keys = [rel.head_start, rel.head_end, rel.head_label, rel.tail_start, rel.tail_end,
            rel.tail_label, rel.label]
    return exact_pair_counts(rel.doc, rel.coder, rel.label, keys, a, b, shared, n_labels)
