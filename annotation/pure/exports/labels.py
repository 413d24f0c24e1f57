"""What the caller tells the writers about a project's labels."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from annotation.pure.segment import CHARACTERS, check


@dataclass(frozen=True)
class RelationLabel:
    name: str
    directed: bool = True


@dataclass(frozen=True)
class ExportLabels:
    """A project's label names, in the project's order (the order is the class-label ids of
    the ``hf`` export and the column order of spaCy's cats).

    Lists are accepted for the tuples, and plain names for ``relations`` (directed).

    ``meta_columns``: the ``csv`` export's meta columns, which the caller knows up front (a
    capped sample of the project's meta keys); each record's other keys go in a last JSON
    ``meta`` column. ``None`` puts the whole meta in that column instead, so nothing has to
    be known before the first row.
    """

    entities: Sequence[str] = ()  # stored as tuples, whatever sequence is given
    relations: Sequence[RelationLabel] = ()
    sentiments: Sequence[str] = ()
    multi_label: bool = False
    scale: str = "nominal"  # "nominal" or "ordinal" (sentiment names in scale order)
    meta_columns: Sequence[str] | None = None
    segmentation: str = CHARACTERS  # the tokens of conll, hf and spacy (pure/segment.py)

    def __post_init__(self) -> None:
        check(self.segmentation)
        relations: Sequence[RelationLabel | str] = self.relations  # names are tolerated
        object.__setattr__(self, "entities", tuple(self.entities))
        object.__setattr__(self, "sentiments", tuple(self.sentiments))
        object.__setattr__(self, "relations", tuple(
            r if isinstance(r, RelationLabel) else RelationLabel(r) for r in relations))
        if self.meta_columns is not None:
            object.__setattr__(self, "meta_columns", tuple(self.meta_columns))
        if self.scale not in ("nominal", "ordinal"):
            raise ValueError(f"unknown sentiment scale {self.scale!r}")
        for kind, names in (("entity", self.entities), ("sentiment", self.sentiments),
                            ("relation", tuple(r.name for r in self.relations))):
            if len(set(names)) != len(names):
                raise ValueError(f"duplicate {kind} label names")

    @property
    def bio_tags(self) -> tuple[str, ...]:
        """The BIO tag names: ``O``, then ``B-X`` and ``I-X`` for each entity label X."""
        return ("O", *(f"{p}-{name}" for name in self.entities for p in ("B", "I")))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, e.g. for a dataset version's manifest."""
        return {"entities": list(self.entities),
                "relations": [{"name": r.name, "directed": r.directed} for r in self.relations],
                "sentiments": list(self.sentiments), "multi_label": self.multi_label,
                "scale": self.scale,
                "meta_columns": None if self.meta_columns is None else list(self.meta_columns)}
