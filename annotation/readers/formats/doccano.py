"""doccano's JSONL exports, one document a line.

- Sequence labelling: ``{"id", "text", "label": [[start, end, "PER"], ...]}``.
- Relations: ``{"text", "entities": [{"id", "label", "start_offset", "end_offset"}],
  "relations": [{"id", "from_id", "to_id", "type"}]}``; entity ids become ``T<id>``.
- Text classification: ``{"text", "label": ["positive", ...]}`` -> the sentiment (one label: a
  string, several: a list).

The text is ``text``, or ``data`` when it is a string (doccano 1.x used that key). The keys
above and ``id`` are read; every other key goes to ``meta``. A doccano export holds one
labelling a document (the merged or single-user view), so the labels go to ``gold``; a line
with no label at all gets no gold, since doccano exports unlabelled documents too.
Offsets are taken as code points (doccano's backend counts them in Python).
"""

from collections.abc import Iterable, Iterator
from typing import Any

from annotation.readers.formats.common import (
    Ids,
    Invalid,
    build_records,
    ident,
    json_lines,
    json_type,
    label,
    must,
)
from annotation.readers.limits import DEFAULT_LIMITS, Limits
from annotation.readers.records import Entity, Labelling, Problem, Record, Relation

_READ = frozenset({"id", "text", "label", "entities", "relations"})


def read_doccano(
    lines: Iterable[str], *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Record | Problem]:
    yield from build_records(json_lines(lines, limits), Ids("line"), _record)


def _record(obj: Any, number: int) -> Record:
    if type(obj) is not dict:
        raise Invalid("", f"a record must be a JSON object, got {json_type(obj)}")
    key = "text" if "text" in obj or type(obj.get("data")) is not str else "data"
    if key not in obj:
        raise Invalid("text", "missing")
    text = must(str, obj[key], key)
    meta = {k: v for k, v in obj.items() if k not in _READ and k != key}
    record = Record(number, text, ident(obj.get("id"), "id"), meta)
    lab = Labelling()
    ids: set[str] = set()
    for k, item in enumerate(must(list, obj.get("label") or [], "label")):
        if type(item) is str:
            lab.sentiment = item if lab.sentiment is None else [*_as_list(lab.sentiment), item]
        else:
            lab.entities.append(_triple(item, f"label[{k}]"))
    for k, item in enumerate(must(list, obj.get("entities") or [], "entities")):
        entity = (
            _triple(item, f"entities[{k}]")
            if type(item) is list
            else _entity(item, f"entities[{k}]")
        )
        if entity.id is not None:
            if entity.id in ids:
                raise Invalid(f"entities[{k}].id", f"duplicate entity id {entity.id!r}")
            ids.add(entity.id)
        lab.entities.append(entity)
    for k, item in enumerate(must(list, obj.get("relations") or [], "relations")):
        lab.relations.append(_relation(item, f"relations[{k}]", ids))
    if lab.entities or lab.relations or lab.sentiment is not None:
        record.gold = lab
    return record


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _triple(item: Any, at: str) -> Entity:
    if type(item) is not list or len(item) != 3:
        raise Invalid(at, "must be [start, end, label] or a label name")
    return Entity(
        must(int, item[0], f"{at}[0]"), must(int, item[1], f"{at}[1]"), label(item[2], f"{at}[2]")
    )


def _entity(item: Any, at: str) -> Entity:
    must(dict, item, at)
    raw_id = ident(item.get("id"), f"{at}.id")
    return Entity(
        must(int, item.get("start_offset"), f"{at}.start_offset"),
        must(int, item.get("end_offset"), f"{at}.end_offset"),
        label(item.get("label"), f"{at}.label"),
        None if raw_id is None else f"T{raw_id}",
    )


def _relation(item: Any, at: str, ids: set[str]) -> Relation:
    must(dict, item, at)
    ends = []
    for key in ("from_id", "to_id"):
        ref = ident(item.get(key), f"{at}.{key}")
        if ref is None or f"T{ref}" not in ids:
            raise Invalid(
                f"{at}.{key}",
                "missing" if ref is None else f"no entity with id {ref!r} in this record",
            )
        ends.append(f"T{ref}")
    return Relation(ends[0], ends[1], label(item.get("type"), f"{at}.type"))
