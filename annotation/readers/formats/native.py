"""Concord's native record, one a line (jsonl) or in a JSON array (json).

Line numbers: see `common` (physical lines for jsonl, record index for json).

Checks here are about types only: offsets against the text and labels against the project's
schema are the pipeline's business. Keys other than ``id``, ``text``, ``meta``,
``annotations``, ``gold`` and ``predictions`` are ignored, except keys that betray another
format (``label``, ``entities``, ``relations``, ``data``): those are a Problem naming it.
In ``predictions``, entities, relations and sentiment may say who proposed them: ``agent``
(1 to 100 characters), ``model_version`` (at most 100) and ``score`` (0 to 1); sentiment
may then be objects ``{label, agent, model_version, score}``, alone or in a list.
Entities without an ``id`` keep ``id=None`` (the pipeline numbers them ``T1``, ``T2``... by
position); relations can only refer to ids the file gives. A record with problems yields one
Problem (the first found) and no Record.
"""

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from annotation.readers.formats.common import (
    SOURCE_KEYS,
    Ids,
    Invalid,
    build_records,
    ident,
    json_array,
    json_lines,
    json_type,
    label,
    must,
    predicted_sentiment,
    sentiment,
    source,
)
from annotation.readers.limits import DEFAULT_LIMITS, Limits
from annotation.readers.records import (
    Entity,
    Labelling,
    PredictedEntity,
    PredictedRelation,
    Predictions,
    Problem,
    Record,
    Relation,
)

_FOREIGN = {
    "label": "doccano",
    "entities": "doccano",
    "relations": "doccano",
    "data": "label-studio",
}
_NATIVE_KEYS = frozenset({"id", "text", "meta", "annotations", "gold", "predictions"})


def parse_entities(raw: Any, where: str) -> tuple[list[Entity], set[str]]:
    """Entities and their ids. The loop is the hot path: field names are built on error only."""
    entities: list[Entity] = []
    ids: set[str] = set()
    for i, item in enumerate(must(list, raw, where)):
        try:
            start, end, name, eid = item["start"], item["end"], item["label"], item.get("id")
        except (TypeError, KeyError, AttributeError):
            start = end = name = eid = None
        if type(start) is not int or type(end) is not int or type(name) is not str or not name:
            _entity_error(item, f"{where}[{i}]")
        if eid is not None:
            if type(eid) is not str or not eid:
                eid = ident(eid, f"{where}[{i}].id")
            if eid in ids:
                raise Invalid(f"{where}[{i}].id", f"duplicate entity id {eid!r}")
            ids.add(eid)
        entities.append(Entity(start, end, name, eid))
    return entities, ids


def _entity_error(item: Any, at: str) -> None:
    must(dict, item, at)
    must(int, item.get("start"), f"{at}.start")
    must(int, item.get("end"), f"{at}.end")
    label(item.get("label"), f"{at}.label")


def parse_relations(raw: Any, where: str, ids: set[str]) -> list[Relation]:
    relations: list[Relation] = []
    for i, item in enumerate(must(list, raw, where)):
        try:
            head, tail, name = item["head"], item["tail"], item["label"]
        except (TypeError, KeyError, AttributeError):
            head = tail = name = None
        if head not in ids or tail not in ids or type(name) is not str or not name:
            _relation_error(item, f"{where}[{i}]", ids)
            head, tail = str(head), str(tail)  # integer ids
        relations.append(Relation(head, tail, name))
    return relations


def _relation_error(item: Any, at: str, ids: set[str]) -> None:
    must(dict, item, at)
    for end in ("head", "tail"):
        ref = ident(item.get(end), f"{at}.{end}")
        if ref is None:
            raise Invalid(f"{at}.{end}", "missing")
        if ref not in ids:
            raise Invalid(f"{at}.{end}", f"no entity with id {ref!r} in this labelling")
    label(item.get("label"), f"{at}.label")


def parse_labelling(raw: Any, where: str) -> Labelling:
    must(dict, raw, where)
    entities, ids = parse_entities(raw.get("entities") or [], f"{where}.entities")
    relations = parse_relations(raw.get("relations") or [], f"{where}.relations", ids)
    return Labelling(entities, relations, sentiment(raw.get("sentiment"), f"{where}.sentiment"))


def parse_predictions(raw: Any, where: str = "predictions") -> Labelling:
    """``predictions``: a labelling whose entities, relations and sentiment may say who
    proposed them (``agent``, ``model_version``, ``score``); sentiment may be objects
    ``{label, agent, model_version, score}``. Only items carrying those keys cost more."""
    must(dict, raw, where)
    entities, ids = parse_entities(raw.get("entities") or [], f"{where}.entities")
    relations = parse_relations(raw.get("relations") or [], f"{where}.relations", ids)
    value = raw.get("sentiment")
    if type(value) is dict or (type(value) is list and dict in map(type, value)):
        names, sources = predicted_sentiment(value, f"{where}.sentiment")
        lab: Labelling = Predictions(entities, relations, names, sources)
    else:
        lab = Labelling(entities, relations, sentiment(value, f"{where}.sentiment"))
    for i, item in enumerate(raw.get("entities") or ()):
        if not SOURCE_KEYS.isdisjoint(item):
            e = entities[i]
            entities[i] = PredictedEntity(e.start, e.end, e.label, e.id,
                                          source(item, f"{where}.entities[{i}]"))
    for i, item in enumerate(raw.get("relations") or ()):
        if not SOURCE_KEYS.isdisjoint(item):
            r = relations[i]
            relations[i] = PredictedRelation(r.head, r.tail, r.label,
                                             source(item, f"{where}.relations[{i}]"))
    return lab


def parse_annotations(raw: Any) -> list[tuple[str, Labelling]]:
    found: list[tuple[str, Labelling]] = []
    who_seen: set[str] = set()
    for i, item in enumerate(must(list, raw, "annotations")):
        at = f"annotations[{i}]"
        who = label(must(dict, item, at).get("annotator"), f"{at}.annotator")
        if who in who_seen:
            raise Invalid(f"{at}.annotator", f"annotator {who!r} appears twice")
        who_seen.add(who)
        found.append((who, parse_labelling(item, at)))
    return found


def record_from(obj: Any, line: int) -> Record:
    """A native record from a parsed JSON value; Invalid on the first problem."""
    if type(obj) is not dict:
        raise Invalid("", f"a record must be a JSON object, got {json_type(obj)}")
    if "text" not in obj:
        raise Invalid("text", "missing")
    record = Record(line, must(str, obj["text"], "text"), ident(obj.get("id"), "id"))
    if not _NATIVE_KEYS.issuperset(obj):
        for key in sorted(obj.keys() & _FOREIGN.keys()):
            raise Invalid(
                key,
                f"not a key of Concord's native record (is this a "
                f"{_FOREIGN[key]} export? choose that format)",
            )
    meta = obj.get("meta")
    if meta is not None:
        record.meta = must(dict, meta, "meta")
    if obj.get("annotations") is not None:
        record.annotations = parse_annotations(obj["annotations"])
    if obj.get("gold") is not None:
        record.gold = parse_labelling(obj["gold"], "gold")
    if obj.get("predictions") is not None:
        record.predictions = parse_predictions(obj["predictions"])
    return record


def read_jsonl(
    lines: Iterable[str], *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Record | Problem]:
    return build_records(json_lines(lines, limits), Ids("line"), record_from)


def read_json(
    raw: BinaryIO, chunk_size: int | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Record | Problem]:
    return build_records(json_array(raw, chunk_size, limits), Ids("record"), record_from)
