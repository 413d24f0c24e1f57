import pytest

from annotation.pure.changes import ChangeError, apply_changes

STORED = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER", "text": "Alice"},
                       {"id": "T2", "start": 13, "end": 17, "label": "ORG", "text": "Acme"},
                       {"id": "T3", "start": 21, "end": 26, "label": "LOC", "text": "Paris"}],
          "relations": [{"head": "T1", "tail": "T2", "label": "works_for"},
                        {"head": "T2", "tail": "T3", "label": "located_in"}],
          "sentiment": "positive"}
ALICE, ACME, PARIS = ({"start": 0, "end": 5, "label": "PER"},
                      {"start": 13, "end": 17, "label": "ORG"},
                      {"start": 21, "end": 26, "label": "LOC"})


def keyed(content):
    """Content with ids replaced by their entities' keys: what stays when ids are renamed."""
    at = {e["id"]: (e["start"], e["end"], e["label"]) for e in content["entities"]}
    return (sorted(at.values()),
            sorted((at[r["head"]], at[r["tail"]], r["label"]) for r in content["relations"]),
            content["sentiment"])


def test_no_change_gives_the_stored_content():
    assert keyed(apply_changes(STORED, {})) == keyed(STORED)


def test_adds_removes_and_sentiment():
    bob = {"start": 30, "end": 33, "label": "PER"}
    out = apply_changes(STORED, {
        "entities": {"add": [bob], "remove": [PARIS]},
        "relations": {"add": [{"head": bob, "tail": ACME, "label": "works_for"}],
                      "remove": [{"head": ALICE, "tail": ACME, "label": "works_for"}]},
        "sentiment": None})
    assert keyed(out) == (
        [(0, 5, "PER"), (13, 17, "ORG"), (30, 33, "PER")],
        [((30, 33, "PER"), (13, 17, "ORG"), "works_for")],  # located_in left with Paris
        None)
    assert len({e["id"] for e in out["entities"]}) == 3


def test_removing_then_adding_an_entity_relabels_it_and_new_ids_never_clash():
    out = apply_changes(STORED, {"entities": {"remove": [ALICE],
                                              "add": [{**ALICE, "label": "ORG"}]}})
    assert (0, 5, "ORG") in keyed(out)[0]
    assert len({e["id"] for e in out["entities"]}) == 3


@pytest.mark.parametrize(("changes", "field"), [
    ({"entities": {"remove": [{"start": 1, "end": 5, "label": "PER"}]}},
     "changes.entities.remove[0]"),
    ({"entities": {"add": [{"start": "0", "end": 5, "label": "PER"}]}}, "changes.entities.add[0]"),
    ({"relations": {"remove": [{"head": ACME, "tail": ALICE, "label": "works_for"}]}},
     "changes.relations.remove[0]"),
    ({"relations": {"add": [{"head": {"start": 9, "end": 10, "label": "PER"}, "tail": ACME,
                             "label": "works_for"}]}}, "changes.relations.add[0]"),
    ({"entities": {"add": "x"}}, "changes.entities.add"),
    ({"entities": []}, "changes.entities"),
])
def test_what_the_stored_annotation_has_not_is_named(changes, field):
    with pytest.raises(ChangeError) as caught:
        apply_changes(STORED, changes)
    assert field in {e["field"] for e in caught.value.errors}


def test_changes_must_be_an_object():
    with pytest.raises(ChangeError):
        apply_changes(STORED, [1])
