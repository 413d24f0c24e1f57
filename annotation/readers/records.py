"""What every format reader yields: records in Concord's native shape, or problems."""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Entity:
    start: int  # code points into Record.text, end exclusive
    end: int
    label: str
    id: str | None = None  # the file's own id ("T1"), which relations refer to


@dataclass
class Relation:
    head: str  # Entity.id
    tail: str
    label: str


@dataclass
class Labelling:
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    sentiment: str | list[str] | None = None


@dataclass(frozen=True)
class Source:
    """Who proposed a prediction, as ``predictions`` may say: the agent's name (None: the
    agent ``imported``), its model version (None: "") and its score in [0, 1] (None: 1.0)."""

    agent: str | None = None
    model_version: str | None = None
    score: float | None = None


NO_SOURCE = Source()


@dataclass
class PredictedEntity(Entity):
    """An entity of ``predictions`` that says who proposed it (plain entities don't carry
    the field: annotations and gold pay nothing for it)."""

    source: Source = NO_SOURCE


@dataclass
class PredictedRelation(Relation):
    source: Source = NO_SOURCE


@dataclass
class Predictions(Labelling):
    """``predictions`` whose sentiment says who proposed it: ``sentiment`` is then a list of
    names and ``sentiment_sources[i]`` the source of its i-th name."""

    sentiment_sources: list[Source] = field(default_factory=list)


def source_of(item: Entity | Relation) -> Source:
    """The source of a prediction's entity or relation (the default one for a plain one)."""
    return item.source if isinstance(item, PredictedEntity | PredictedRelation) else NO_SOURCE


def sentiment_sources(lab: Labelling) -> list[tuple[str, Source]]:
    """The sentiment names of a labelling, each with its source."""
    value = lab.sentiment
    names = value if isinstance(value, list) else [] if value is None else [value]
    given = lab.sentiment_sources if isinstance(lab, Predictions) else []
    return [(name, given[i] if i < len(given) else NO_SOURCE) for i, name in enumerate(names)]


@dataclass
class Record:
    line: int  # 1-based line (or record number, for a JSON array) where the record starts
    text: str
    id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    annotations: list[tuple[str, Labelling]] = field(default_factory=list)  # (username, …)
    gold: Labelling | None = None
    predictions: Labelling | None = None
    part: int = 0  # n >= 1: the nth part of a text over the length limit (long_texts.py)

    def labellings(self) -> list[Labelling]:
        found = [lab for _, lab in self.annotations]
        return found + [lab for lab in (self.gold, self.predictions) if lab is not None]


@dataclass
class Problem:
    line: int  # 1-based; 0 for the file as a whole
    field: str  # e.g. "text", "annotations[0].entities[2].end"; "" when none applies
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


class FileError(ValueError):
    """The file as a whole cannot be read (bad encoding, unknown format): nothing is stored."""

    def __init__(self, message: str, *, byte_offset: int | None = None) -> None:
        super().__init__(message)
        self.byte_offset = byte_offset
