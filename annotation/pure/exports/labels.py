"""What the caller tells the writers about a project's labels."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RelationLabel:
    name: str
    directed: bool = True


@dataclass(frozen=True)
class ExportLabels:
    """A project's label names, in the project's order (the order is the class-label ids of
    the ``hf`` export and the column order of spaCy's cats).

    ``meta_columns``: the ``csv`` export's meta columns, which the caller knows up front (the
    union of the project's meta keys); ``None`` puts the whole meta in one JSON ``meta``
    column instead, so nothing has to be known before the first row.
    """

    entities: tuple[str, ...] = ()
    relations: tuple[RelationLabel, ...] = ()
    sentiments: tuple[str, ...] = ()
    multi_label: bool = False
    scale: str = "nominal"  # "nominal" or "ordinal" (sentiment names in scale order)
    meta_columns: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
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
