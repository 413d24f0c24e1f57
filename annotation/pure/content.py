"""Validation of an annotation's content against a document and a project's label schema.

Input follows DESIGN.md: entities [{id, start, end, label}], relations [{head, tail, label}]
with head/tail naming entity ids, sentiment a label name, a list of names, or null. Offsets
are code points into the stored text, end exclusive.
"""

import itertools
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LabelSpec:
    id: int
    name: str
    kind: str
    head: frozenset[str] = frozenset()  # entity label names allowed at the head; empty: any
    tail: frozenset[str] = frozenset()
    order: int = 0  # the label's position in the project's list


@dataclass(frozen=True)
class Schema:
    labels: dict[tuple[str, str], LabelSpec]  # (kind, name) -> spec
    tasks: frozenset[str]
    allow_overlap: bool
    multi_label: bool


@dataclass
class Content:
    entities: list[tuple[int, int, int]] = field(default_factory=list)  # (start, end, label id)
    relations: list[tuple[int, int, int]] = field(default_factory=list)  # (head i, tail i, label)
    sentiment: list[int] = field(default_factory=list)


class ContentError(ValueError):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _label(schema: Schema, kind: str, name: Any, where: str, errors: list,
           who: str = "") -> LabelSpec | None:
    spec = schema.labels.get((kind, name)) if isinstance(name, str) else None
    if spec is None:
        other = next((k for k, n in schema.labels if n == name and k != kind), None)
        message = (f"{name!r} is {_a(other)} label, not {_a(kind)} label" if other else
                   f"no {kind} label named {name!r} in this project")
        errors.append({"field": where, "message": f"{who}: {message}" if who else message})
    return spec


ID_MAX = 64  # characters of an entity's id


def _shape(ent: dict[str, Any], where: str, who: str) -> list[dict[str, str]]:
    """What is wrong with an entity's start, end and label as values."""
    errors = [{"field": f"{where}.{name}", "message": f"{who}: {name} must be an integer"}
              for name in ("start", "end") if type(ent.get(name)) is not int]
    if not isinstance(ent.get("label"), str):
        errors.append({"field": f"{where}.label", "message": f"{who}: label must be a label's "
                                                              "name"})
    return errors


def _entities(text: str, schema: Schema, raw: Any, errors: list) -> tuple[list, dict[str, int]]:
    if not isinstance(raw, list):
        errors.append({"field": "entities", "message": "must be a list"})
        return [], {}
    out: list[tuple[int, int, int]] = []
    names: list[str] = []
    keys: list[tuple[str, int]] = []  # (entity id, index in the input)
    ids: dict[str, int] = {}
    for i, ent in enumerate(raw):
        where = f"entities[{i}]"
        if not isinstance(ent, dict):
            errors.append({"field": where, "message": "must be an object"})
            continue
        key = ent.get("id", f"T{i + 1}")
        if not isinstance(key, str) or not 0 < len(key) <= ID_MAX:
            errors.append({"field": f"{where}.id",
                           "message": f"an id is a string of 1 to {ID_MAX} characters"})
            continue
        who = f"entity {key}"
        start, end = ent.get("start"), ent.get("end")
        if type(start) is not int or type(end) is not int or not isinstance(ent.get("label"),
                                                                              str):
            errors += _shape(ent, where, who)
            continue
        if start < 0 or end > len(text) or start >= end:
            reason = ("start >= end" if start >= end else
                      f"end {end} is past the text ({len(text)} code points)" if end > len(text)
                      else "start is negative")
            errors.append({"field": where,
                           "message": f"{who}: bad offsets [{start}, {end}): {reason}"})
            continue
        spec = _label(schema, "entity", ent.get("label"), f"{where}.label", errors, who)
        if spec is None:
            continue
        if key in ids:
            errors.append({"field": f"{where}.id", "message": f"duplicate entity id {key!r}"})
            continue
        ids[key] = len(out)
        out.append((start, end, spec.id))
        names.append(spec.name)
        keys.append((key, i))
    if not schema.allow_overlap:
        order = sorted(range(len(out)), key=lambda k: out[k][:2])
        for a, b in itertools.pairwise(order):
            if out[b][0] < out[a][1]:
                (key_b, where_b), key_a = keys[b], keys[a][0]
                errors.append({"field": f"entities[{where_b}]", "message":
                               f"entity {key_b} [{out[b][0]}, {out[b][1]}) overlaps entity "
                               f"{key_a} [{out[a][0]}, {out[a][1]}), and this project does not "
                               "allow overlapping spans"})
    return [(*e, n) for e, n in zip(out, names, strict=True)], ids


def _relations(schema: Schema, raw: Any, ents: list, ids: dict[str, int], errors: list) -> list:
    if not isinstance(raw, list):
        errors.append({"field": "relations", "message": "must be a list"})
        return []
    out: set[tuple[int, int, int]] = set()
    for i, rel in enumerate(raw):
        where = f"relations[{i}]"
        if not isinstance(rel, dict):
            errors.append({"field": where, "message": "must be an object"})
            continue
        spec = _label(schema, "relation", rel.get("label"), f"{where}.label", errors)
        head, tail = (ids.get(end) if isinstance(end := rel.get(name), str) else None
                      for name in ("head", "tail"))
        for end, idx in (("head", head), ("tail", tail)):
            if idx is None:
                errors.append({"field": f"{where}.{end}",
                               "message": f"no entity with id {rel.get(end)!r}"})
        if spec is None or head is None or tail is None:
            continue
        if head == tail:
            errors.append({"field": where, "message": "a relation joins two different entities"})
            continue
        for end, allowed, idx in (("head", spec.head, head), ("tail", spec.tail, tail)):
            if allowed and ents[idx][3] not in allowed:
                errors.append({"field": f"{where}.{end}", "message":
                               f"{spec.name} does not allow a {ents[idx][3]} entity at its {end}"})
                break
        else:
            out.add((head, tail, spec.id))
    return sorted(out)


def _sentiment(schema: Schema, raw: Any, errors: list) -> list[int]:
    if raw is None or raw == []:
        return []
    names = raw if isinstance(raw, list) else [raw]
    if len(names) > 1 and not schema.multi_label:
        errors.append({"field": "sentiment", "message": "this project takes a single sentiment"})
        return []
    specs = [_label(schema, "sentiment", n, "sentiment", errors) for n in names]
    return sorted({s.id for s in specs if s is not None})


def validate(text: str, schema: Schema, raw: dict[str, Any]) -> Content:
    """Check raw content; return it normalized, or raise ContentError listing every problem."""
    errors: list[dict[str, str]] = []
    ents, ids = _entities(text, schema, raw.get("entities") or [], errors)
    rels = _relations(schema, raw.get("relations") or [], ents, ids, errors)
    sentiment = _sentiment(schema, raw.get("sentiment"), errors)
    for task, present in (("ner", ents), ("relations", rels), ("sentiment", sentiment)):
        if present and task not in schema.tasks:
            errors.append({"field": "entities" if task == "ner" else task,
                           "message": f"this project does not run the {task} task"})
    if errors:
        raise ContentError(errors)
    return Content(entities=[e[:3] for e in ents], relations=rels, sentiment=sentiment)


def as_native(content: Content, text: str, schema: Schema) -> dict[str, Any]:
    """Validated content back in the native shape, as it reads from the database: entities
    in offset order with ids T1, T2..., each with its text."""
    names = {spec.id: spec.name for spec in schema.labels.values()}
    ents = content.entities
    by_offset = sorted(range(len(ents)), key=lambda i: (ents[i][0], ents[i][1], i))
    ids = {i: f"T{n}" for n, i in enumerate(by_offset, start=1)}
    entities = [{"id": ids[i], "start": ents[i][0], "end": ents[i][1],
                 "label": names[ents[i][2]], "text": text[ents[i][0]:ents[i][1]]}
                for i in by_offset]
    order = {spec.id: (spec.order, spec.id) for spec in schema.labels.values()}
    chosen = [names[lid] for lid in sorted(content.sentiment, key=order.__getitem__)]
    return {"entities": entities,
            "relations": [{"head": ids[h], "tail": ids[t], "label": names[lb]}
                          for h, t, lb in content.relations],
            "sentiment": chosen if schema.multi_label else (chosen[0] if chosen else None)}
