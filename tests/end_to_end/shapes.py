"""The space of project shapes, and a covering walk of it.

Every pair of values of two dimensions appears in at least one walked shape (a pairwise
covering array, built greedily and deterministically), so a defect that needs two settings
together (NER without sentiment, multi-label with k = 1...) is reached without walking the
whole product.
"""

import itertools
from dataclasses import dataclass

TASKS = [("ner",), ("sentiment",), ("ner", "relations"), ("ner", "sentiment"),
         ("ner", "relations", "sentiment")]
BAD_TASKS = [("relations",), ("relations", "sentiment")]  # relations join entities
DIMENSIONS: dict[str, list] = {
    "tasks": TASKS,
    "overlap_spans": [False, True],
    "scale": ["nominal", "ordinal", "multi"],
    "numeric": [False, True],
    "k": [1, 2, 3],
    "entity_labels": [0, 1, 3],
    "relation_labels": [0, 1, 2],
    "sentiment_labels": [0, 1, 3],
}
# the same space where every kind has labels: every shape there labels, reviews and exports
LABELLED = {**DIMENSIONS, "entity_labels": [1, 3], "relation_labels": [1, 2],
            "sentiment_labels": [1, 3]}


@dataclass(frozen=True)
class Shape:
    tasks: tuple[str, ...]
    overlap_spans: bool
    scale: str  # nominal, ordinal, or multi (multi-label, nominal)
    numeric: bool  # every sentiment label has a numeric value
    k: int
    entity_labels: int
    relation_labels: int
    sentiment_labels: int
    documents: str  # none, or mixed: unlabelled, empty annotations, gold only, imported

    @property
    def id(self) -> str:
        return "-".join(["+".join(self.tasks), "overlap" if self.overlap_spans else "flat",
                         self.scale, "values" if self.numeric else "names", f"k{self.k}",
                         f"e{self.entity_labels}r{self.relation_labels}s{self.sentiment_labels}",
                         f"docs-{self.documents}"])

    @property
    def labels_wanted(self) -> dict[str, int]:
        return {"entity": self.entity_labels, "relation": self.relation_labels,
                "sentiment": self.sentiment_labels}

    def missing(self) -> set[str]:
        """The tasks it runs with no label of their kind (relation labels need entity labels
        to be created at all): labeling cannot start."""
        made = {"entity": self.entity_labels,
                "relation": self.relation_labels if self.entity_labels else 0,
                "sentiment": self.sentiment_labels}
        kinds = {"ner": "entity", "relations": "relation", "sentiment": "sentiment"}
        return {t for t in self.tasks if not made[kinds[t]]}


def pairwise(dimensions: dict[str, list]) -> list[dict]:
    names = list(dimensions)
    uncovered = {(a, i, b, j) for a, b in itertools.combinations(range(len(names)), 2)
                 for i in range(len(dimensions[names[a]]))
                 for j in range(len(dimensions[names[b]]))}
    rows = list(itertools.product(*(range(len(dimensions[n])) for n in names)))
    walk = []
    while uncovered:
        best = max(rows, key=lambda row: sum(
            (a, row[a], b, row[b]) in uncovered
            for a, b in itertools.combinations(range(len(names)), 2)))
        uncovered -= {(a, best[a], b, best[b])
                      for a, b in itertools.combinations(range(len(names)), 2)}
        walk.append({n: dimensions[n][best[i]] for i, n in enumerate(names)})
    return walk


def shapes() -> list[Shape]:
    """Both covering walks with documents of every kind, then each task set with none."""
    walked = [Shape(**row, documents="mixed")
              for row in pairwise(DIMENSIONS) + pairwise(LABELLED)]
    empty = [Shape(tasks=t, overlap_spans=False, scale="nominal", numeric=False, k=2,
                   entity_labels=1, relation_labels=1, sentiment_labels=2, documents="none")
             for t in TASKS]
    return list(dict.fromkeys(walked + empty))
