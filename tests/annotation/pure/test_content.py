"""Validation of annotation content: pure, no database."""

import pytest

from annotation.pure.content import ContentError, LabelSpec, Schema, validate

TEXT = "👩‍💻 Alice 🇫🇷 joined 阿里巴巴 in 2019"
ALICE = TEXT.index("Alice")
ALIBABA = TEXT.index("阿里巴巴")


def schema(**overrides) -> Schema:
    labels = [LabelSpec(1, "PER", "entity"), LabelSpec(2, "ORG", "entity"),
              LabelSpec(3, "works_for", "relation", frozenset({"PER"}), frozenset({"ORG"})),
              LabelSpec(4, "positive", "sentiment"), LabelSpec(5, "negative", "sentiment")]
    base = {"labels": {(lb.kind, lb.name): lb for lb in labels},
            "tasks": frozenset({"ner", "relations", "sentiment"}),
            "allow_overlap": False, "multi_label": False}
    return Schema(**{**base, **overrides})


def good() -> dict:
    return {"entities": [{"id": "a", "start": ALICE, "end": ALICE + 5, "label": "PER"},
                         {"id": "b", "start": ALIBABA, "end": ALIBABA + 4, "label": "ORG"}],
            "relations": [{"head": "a", "tail": "b", "label": "works_for"}],
            "sentiment": "positive"}


def test_valid_content_after_zwj_emoji_and_flag():
    content = validate(TEXT, schema(), good())
    assert content.entities == [(ALICE, ALICE + 5, 1), (ALIBABA, ALIBABA + 4, 2)]
    assert TEXT[ALICE:ALICE + 5] == "Alice"
    assert TEXT[ALIBABA:ALIBABA + 4] == "阿里巴巴"
    assert content.relations == [(0, 1, 3)]
    assert content.sentiment == [4]


def errors_for(raw: dict, **overrides) -> list[dict]:
    with pytest.raises(ContentError) as exc:
        validate(TEXT, schema(**overrides), raw)
    return exc.value.errors


@pytest.mark.parametrize(("entity", "field", "words"), [
    ({"id": "E7", "start": 0, "end": len(TEXT) + 1, "label": "PER"}, "entities[0]",
     f"entity E7: bad offsets [0, {len(TEXT) + 1}): end {len(TEXT) + 1} is past the text"),
    ({"start": 4, "end": 4, "label": "PER"}, "entities[0]", "start >= end"),
    ({"start": -1, "end": 4, "label": "PER"}, "entities[0]", "negative"),
    ({"start": 0, "end": "4", "label": "PER"}, "entities[0].end", "end must be an integer"),
    ({"start": 0, "end": 4, "label": "works_for"}, "entities[0].label",
     "entity T1: 'works_for' is a relation label, not an entity label"),
    ({"start": 0, "end": 4, "label": "GPE"}, "entities[0].label", "no entity label"),
])
def test_bad_entities_are_named(entity, field, words):
    errors = errors_for({"entities": [entity]})
    assert errors[0]["field"] == field
    assert words in errors[0]["message"]


def test_relation_to_missing_entity():
    raw = good()
    raw["relations"] = [{"head": "a", "tail": "zz", "label": "works_for"}]
    assert errors_for(raw) == [{"field": "relations[0].tail", "message": "no entity with id 'zz'"}]


def test_relation_type_not_allowed_between_those_entities():
    raw = good()
    raw["relations"] = [{"head": "b", "tail": "a", "label": "works_for"}]
    errors = errors_for(raw)
    assert errors[0]["field"] == "relations[0].head"
    assert "does not allow a ORG entity at its head" in errors[0]["message"]


def test_overlap_refused_unless_allowed():
    raw = {"entities": [{"start": ALICE, "end": ALICE + 5, "label": "PER"},
                        {"start": ALICE + 2, "end": ALICE + 8, "label": "ORG"}]}
    assert errors_for(raw) == [{"field": "entities[1]", "message":
        f"entity T2 [{ALICE + 2}, {ALICE + 8}) overlaps entity T1 [{ALICE}, {ALICE + 5}), "
        "and this project does not allow overlapping spans"}]
    assert len(validate(TEXT, schema(allow_overlap=True), raw).entities) == 2


def test_single_sentiment_unless_multi_label():
    raw = {"sentiment": ["positive", "negative"]}
    assert errors_for(raw)[0]["field"] == "sentiment"
    assert validate(TEXT, schema(multi_label=True), raw).sentiment == [4, 5]


def test_task_must_be_enabled():
    errors = errors_for(good(), tasks=frozenset({"ner"}))
    assert {e["field"] for e in errors} == {"relations", "sentiment"}


def test_every_problem_is_reported_at_once():
    raw = {"entities": [{"start": 0, "end": 999, "label": "PER"},
                        {"start": 0, "end": 2, "label": "NOPE"}],
           "sentiment": "ecstatic"}
    assert len(errors_for(raw)) == 3
