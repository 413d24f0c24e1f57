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
