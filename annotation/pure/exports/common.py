"""What every writer shares: the export's warnings and counts, the labellings a scope
exports, label checks, and buffering of small pieces into chunks."""

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, AnyStr

from annotation.pure.exports.labels import ExportLabels

SCOPES = ("gold", "all")
MAX_WARNINGS = 1000
CHUNK = 1 << 16

Record = Mapping[str, Any]


class Labelling:
    """One labelling of a document: its gold (``annotator`` None) or an annotator's work."""

    __slots__ = ("annotator", "entities", "relations", "sentiment")

    def __init__(self, annotator: str | None, data: Mapping[str, Any]) -> None:
        self.annotator = annotator
        self.entities: list[dict[str, Any]] = list(data.get("entities") or ())
        self.relations: list[dict[str, Any]] = list(data.get("relations") or ())
        self.sentiment: Any = data.get("sentiment")

    @property
    def source(self) -> str:
        return "gold" if self.annotator is None else "annotation"


class Context:
    """An export's settings and what it learns while writing: ``warnings`` (the first
    ``MAX_WARNINGS``; ``warning_count`` counts them all), ``documents`` written,
    ``annotations`` (labellings: gold and annotators' work) written and ``annotators`` (the
    names of the annotators whose work the scope exports)."""

    def __init__(self, labels: ExportLabels, scope: str) -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; expected one of {SCOPES}")
        self.labels = labels
        self.scope = scope
        self.warnings: list[dict[str, Any]] = []
        self.warning_count = 0
        self.documents = 0
        self.annotations = 0
        self.annotators: set[str] = set()
        self._entity_labels = frozenset(labels.entities)
        self._relation_labels = {r.name: r for r in labels.relations}
        self._sentiment_labels = frozenset(labels.sentiments)

    def warn(self, record: Record, labelling: Labelling | None, reason: str,
             **details: Any) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            warning: dict[str, Any] = {"document": record.get("id")}
            if labelling is not None:
                warning["annotator"] = labelling.annotator
            warning.update(details)
            warning["reason"] = reason
            self.warnings.append(warning)

    def labellings(self, record: Record) -> list[Labelling]:
        """What the scope exports of a record: its gold, then (scope ``all``) every
        annotator's annotation in the record's order."""
        found = [Labelling(None, record["gold"])] if record.get("gold") else []
        if self.scope == "all":
            for data in record.get("annotations") or ():
                found.append(Labelling(str(data.get("annotator", "")), data))
                self.annotators.add(found[-1].annotator or "")
        return found

    def entities(self, record: Record, labelling: Labelling) -> list[dict[str, Any]]:
        """The labelling's entities whose label is known and whose offsets and text fit the
        document; the others are warned about."""
        text: str = record["text"]
        kept = []
        for entity in labelling.entities:
            start, end = entity.get("start"), entity.get("end")
            where = {"entity": entity.get("id"), "label": entity.get("label"),
                     "start": start, "end": end}
            if entity.get("label") not in self._entity_labels:
                self.warn(record, labelling, "unknown entity label; the entity was skipped",
                          **where)
            elif not (isinstance(start, int) and isinstance(end, int)
                      and 0 <= start < end <= len(text)):
                self.warn(record, labelling, "offsets outside the text; the entity was skipped",
                          **where)
            elif "text" in entity and entity["text"] != text[start:end]:
                self.warn(record, labelling,
                          "the entity's text differs from the text at its offsets; "
                          "the entity was skipped", **where)
            else:
                kept.append(entity)
        return kept

    def relations(self, record: Record, labelling: Labelling,
                  entity_ids: Iterable[Any]) -> list[dict[str, Any]]:
        """The labelling's relations whose label is known and whose ends are among
        ``entity_ids`` (the entities the format could write)."""
        ids = set(entity_ids)
        kept = []
        for relation in labelling.relations:
            where = {"relation": relation.get("label"), "head": relation.get("head"),
                     "tail": relation.get("tail")}
            if relation.get("label") not in self._relation_labels:
                self.warn(record, labelling, "unknown relation label; the relation was skipped",
                          **where)
            elif relation.get("head") not in ids or relation.get("tail") not in ids:
                self.warn(record, labelling, "the relation's head or tail entity was not "
                          "exported; the relation was skipped", **where)
            else:
                kept.append(relation)
        return kept

    def sentiments(self, record: Record, labelling: Labelling) -> list[str]:
        """The labelling's sentiment as a list of known names (empty when there is none)."""
        value = labelling.sentiment
        names = [] if value is None else [value] if isinstance(value, str) else list(value)
        kept = []
        for name in names:
            if name in self._sentiment_labels:
                kept.append(name)
            else:
                self.warn(record, labelling, "unknown sentiment label; it was skipped",
                          sentiment=name)
        return kept

    def directed(self, relation_label: str) -> bool:
        return self._relation_labels[relation_label].directed


# Line breaks other than \n that JSON leaves raw: str.splitlines would cut a line there.
_BREAKS = "\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_SAFE = str.maketrans({c: f"\\u{ord(c):04x}" for c in _BREAKS})
# Records are trees built from the database: no need to check for cycles on every container.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                           check_circular=False).encode
json_text = _ENCODE  # a value as compact JSON text (not yet line-safe)


def json_line(value: Any) -> bytes:
    """``value`` as one JSON Lines line: UTF-8, compact, every line break escaped."""
    return line_safe(_ENCODE(value)).encode("utf-8") + b"\n"


def line_safe(text: str) -> str:
    """JSON ``text`` with the line breaks other than \\n escaped (they can only be in its
    strings). ``in`` finds a character at C speed, and not at all in a string too narrow to
    hold it; translate only runs when one is there."""
    for c in _BREAKS:
        if c in text:
            return text.translate(_LINE_SAFE)
    return text


def _joined(pieces: Iterable[AnyStr], size: int, empty: AnyStr) -> Iterator[AnyStr]:
    """``pieces`` joined into runs of at least ``size`` (the last may be shorter)."""
    held: list[AnyStr] = []
    length = 0
    for piece in pieces:
        held.append(piece)
        length += len(piece)
        if length >= size:
            yield empty.join(held)
            held, length = [], 0
    if held:
        yield empty.join(held)


def encoded(lines: Iterable[str], size: int = CHUNK) -> Iterator[bytes]:
    """JSON ``lines`` (str, each ending in \\n) joined into chunks of at least ``size``
    characters, each made line-safe and encoded as UTF-8 once: the same bytes as
    ``json_line`` line by line, with one check and one encode a chunk instead of a line."""
    return (line_safe(text).encode("utf-8") for text in _joined(lines, size, ""))


def buffered(pieces: Iterable[bytes], size: int = CHUNK) -> Iterator[bytes]:
    """``pieces`` joined into chunks of at least ``size`` bytes (the last may be shorter)."""
    return _joined(pieces, size, b"")
