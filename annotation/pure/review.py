"""Comparing labellings of one document, for review: do all annotators agree exactly, and
what changed between two saved states of the gold.

Labellings are in the native shape: entities [{id, start, end, label}], relations
[{head, tail, label}] naming entity ids, sentiment a name, a list of names, or null.
Entity ids are local to a labelling, so items are compared by what they mean: an entity
is (start, end, label); a relation is (head entity, tail entity, label).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

EntityKey = tuple[int, int, str]
RelationKey = tuple[EntityKey, EntityKey, str]


@dataclass(frozen=True)
class Items:
    entities: frozenset[EntityKey]
    relations: frozenset[RelationKey]
    sentiment: frozenset[str]


def items_of(labelling: dict[str, Any]) -> Items:
    by_id = {str(e.get("id")): (int(e["start"]), int(e["end"]), str(e["label"]))
             for e in labelling.get("entities") or []}
    relations = set()
    for r in labelling.get("relations") or []:
        head, tail = by_id.get(str(r.get("head"))), by_id.get(str(r.get("tail")))
        if head is not None and tail is not None:
            relations.add((head, tail, str(r["label"])))
    raw = labelling.get("sentiment")
    sentiment = raw if isinstance(raw, list) else [] if raw is None else [raw]
    return Items(entities=frozenset(by_id.values()), relations=frozenset(relations),
                 sentiment=frozenset(str(s) for s in sentiment))


def unanimous(labellings: Sequence[dict[str, Any]]) -> bool:
    """True when there are labellings and all of them hold exactly the same entities,
    relations and sentiment."""
    if not labellings:
        return False
    first = items_of(labellings[0])
    return all(items_of(other) == first for other in labellings[1:])


@dataclass(frozen=True)
class Change:
    """What a gold save changed: items added and removed, and the sentiment before/after."""

    added_entities: list[EntityKey]
    removed_entities: list[EntityKey]
    added_relations: list[RelationKey]
    removed_relations: list[RelationKey]
    sentiment_before: list[str]
    sentiment_after: list[str]

    @property
    def empty(self) -> bool:
        return not (self.added_entities or self.removed_entities or self.added_relations
                    or self.removed_relations or self.sentiment_before != self.sentiment_after)

    def as_dict(self) -> dict[str, Any]:
        return {"entities": {"added": [list(e) for e in self.added_entities],
                             "removed": [list(e) for e in self.removed_entities]},
                "relations": {"added": [_rel(r) for r in self.added_relations],
                              "removed": [_rel(r) for r in self.removed_relations]},
                "sentiment": {"before": self.sentiment_before, "after": self.sentiment_after}}


def _rel(r: RelationKey) -> list[Any]:
    return [list(r[0]), list(r[1]), r[2]]


def change(before: dict[str, Any] | None, after: dict[str, Any]) -> Change:
    """The difference between two labellings (`before` None: nothing before)."""
    old = items_of(before or {})
    new = items_of(after)
    return Change(added_entities=sorted(new.entities - old.entities),
                  removed_entities=sorted(old.entities - new.entities),
                  added_relations=sorted(new.relations - old.relations),
                  removed_relations=sorted(old.relations - new.relations),
                  sentiment_before=sorted(old.sentiment), sentiment_after=sorted(new.sentiment))
