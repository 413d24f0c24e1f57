"""A save that sends only what changed: entities and relations added and removed, named by
their place and label (the ids of a stored annotation are renumbered when it is read, so
they are not shared), and the sentiment when it changed. `apply_changes` makes the whole
content again from the stored one, for the validator to check as any save. Django-free."""

from typing import Any


class ChangeError(ValueError):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def _key(entity: Any) -> tuple[Any, Any, Any] | None:
    if not isinstance(entity, dict):
        return None
    key = (entity.get("start"), entity.get("end"), entity.get("label"))
    ok = type(key[0]) is int and type(key[1]) is int and isinstance(key[2], str)
    return key if ok else None


def _list(changes: dict[str, Any], kind: str, part: str, errors: list) -> list:
    group = changes.get(kind, {})
    if not isinstance(group, dict):
        if part == "remove":  # said once, not for each part
            errors.append({"field": f"changes.{kind}", "message": "must be an object"})
        return []
    value = group.get(part, [])
    if not isinstance(value, list):
        errors.append({"field": f"changes.{kind}.{part}", "message": "must be a list"})
        return []
    return value


def apply_changes(current: dict[str, Any], changes: Any) -> dict[str, Any]:
    """The content `changes` make of `current` (native: entities with ids, relations by id,
    sentiment). A removed item that is not there, or an added relation whose ends are not
    there, raises ChangeError naming it: the sender's copy is not the stored one."""
    if not isinstance(changes, dict):
        raise ChangeError([{"field": "changes", "message": "must be an object"}])
    errors: list[dict[str, str]] = []
    ids: dict[tuple | None, str] = {}
    entities = []
    for entity in current.get("entities", []):
        ids.setdefault(_key(entity), entity["id"])
        entities.append({k: entity[k] for k in ("id", "start", "end", "label")})
    gone = _removed_entities(changes, ids, errors)
    entities = [e for e in entities if e["id"] not in gone]
    ids = {k: i for k, i in ids.items() if i not in gone}
    _add_entities(changes, entities, ids, errors)
    relations = _relations(current, changes, ids, gone, errors)
    if errors:
        raise ChangeError(errors)
    sentiment = changes["sentiment"] if "sentiment" in changes else current.get("sentiment")
    return {"entities": entities, "relations": relations, "sentiment": sentiment}


def _removed_entities(changes: dict, ids: dict, errors: list) -> set[str]:
    gone = set()
    for i, entity in enumerate(_list(changes, "entities", "remove", errors)):
        key = _key(entity)
        if key not in ids:
            errors.append({"field": f"changes.entities.remove[{i}]",
                           "message": "no such entity in the stored annotation"})
        else:
            gone.add(ids[key])
    return gone


def _add_entities(changes: dict, entities: list, ids: dict, errors: list) -> None:
    taken = {e["id"] for e in entities}
    number = len(entities)
    for i, entity in enumerate(_list(changes, "entities", "add", errors)):
        key = _key(entity)
        if key is None:
            errors.append({"field": f"changes.entities.add[{i}]",
                           "message": "give start and end (integers) and a label"})
            continue
        number += 1
        while f"T{number}" in taken:
            number += 1
        new = f"T{number}"
        taken.add(new)
        ids.setdefault(key, new)
        entities.append({"id": new, "start": key[0], "end": key[1], "label": key[2]})


def _relation_key(relation: Any, by_id: dict | None = None) -> tuple | None:
    if not isinstance(relation, dict):
        return None
    head, tail = relation.get("head"), relation.get("tail")
    if by_id is not None:
        head, tail = by_id.get(head), by_id.get(tail)
    else:
        head, tail = _key(head), _key(tail)
    label = relation.get("label")
    return (head, tail, label) if head and tail and isinstance(label, str) else None


def _relations(current: dict, changes: dict, ids: dict, gone: set, errors: list) -> list:
    by_id = {e["id"]: _key(e) for e in current.get("entities", [])}
    kept = {}
    for relation in current.get("relations", []):
        if relation["head"] in gone or relation["tail"] in gone:
            continue  # a relation goes with its entity, as in the editor
        key = _relation_key(relation, by_id)
        if key is not None:
            kept[key] = relation["label"]
    for i, relation in enumerate(_list(changes, "relations", "remove", errors)):
        key = _relation_key(relation)
        if key is None or kept.pop(key, None) is None:
            errors.append({"field": f"changes.relations.remove[{i}]",
                           "message": "no such relation in the stored annotation"})
    for i, relation in enumerate(_list(changes, "relations", "add", errors)):
        key = _relation_key(relation)
        if key is None or key[0] not in ids or key[1] not in ids:
            errors.append({"field": f"changes.relations.add[{i}]",
                           "message": "its head and tail must be entities of the annotation"})
            continue
        kept[key] = key[2]
    return [{"head": ids[h], "tail": ids[t], "label": label} for (h, t, label) in kept]
