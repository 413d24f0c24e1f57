"""The annotation API of DESIGN.md: next, own annotation GET/PUT, skip, everyone's list."""

import pytest
from django.urls import reverse

from annotation.models import Annotation
from projects import services
from tests.conftest import api_client_for
from tests.factories import AssignmentFactory, DocumentFactory, ProjectFactory

pytestmark = pytest.mark.django_db
TEXT = "Alice joined 阿里巴巴 in 2019 🎉"  # the world document


def url(world, name="api:annotation", document=None):
    return reverse(name, kwargs={"project_id": world.project.pk,
                                 "document_id": (document or world.document).pk})


@pytest.fixture
def annotator(world):
    user = world.users["annotator"]
    AssignmentFactory(document=world.document, annotator=user)
    return api_client_for(user)


def body(**extra):
    return {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                         {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
            "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
            "sentiment": "positive", "status": "draft", "version": 0, **extra}


def test_next_leases_a_document_then_204_when_none_is_left(world):
    client = api_client_for(world.users["annotator"])
    first = client.get(reverse("api:next", kwargs={"project_id": world.project.pk}))
    assert first.status_code == 200
    data = first.json()
    assert data["document"]["text"] == TEXT
    assert data["annotation"] == {"entities": [], "relations": [], "sentiment": None,
                                  "status": "draft", "version": 0, "seconds_spent": 0.0}
    assert data["predictions"] is None
    client.put(url(world), body(status="submitted"), format="json")
    assert client.get(reverse("api:next", kwargs={"project_id": world.project.pk})
                      ).status_code == 204


def test_get_is_an_empty_draft_at_version_0(world, annotator):
    response = annotator.get(url(world))
    assert response.status_code == 200
    assert response.json()["version"] == 0


def test_put_stores_code_point_offsets_and_bumps_the_version(world, annotator):
    response = annotator.put(url(world), body(seconds_spent=12.5), format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["version"] == 1
    assert [e["text"] for e in data["entities"]] == ["Alice", "阿里巴巴"]
    assert data["relations"] == [{"head": "T1", "tail": "T2", "label": "works_for"}]
    assert (data["sentiment"], data["seconds_spent"]) == ("positive", 12.5)
    again = annotator.put(url(world), body(version=1, sentiment="negative"), format="json")
    assert again.json()["version"] == 2


def test_a_stale_version_is_409_and_nothing_is_overwritten(world, annotator):
    annotator.put(url(world), body(), format="json")
    annotator.put(url(world), body(version=1, sentiment="negative"), format="json")
    stale = annotator.put(url(world), body(version=1, entities=[], relations=[]), format="json")
    assert stale.status_code == 409
    assert stale.json()["errors"] == [{"field": "version", "message": "stale version"}]
    kept = annotator.get(url(world)).json()
    assert (kept["version"], kept["sentiment"], len(kept["entities"])) == (2, "negative", 2)


def put_error(client, world, **changes):
    response = client.put(url(world), body(**changes), format="json")
    assert response.status_code == 400, response.json()
    assert Annotation.objects.count() == 0
    return response.json()["errors"]


@pytest.mark.parametrize(("entity", "field", "message"), [
    ({"id": "E1", "start": 0, "end": len(TEXT) + 1, "label": "PER"}, "entities[0]",
     f"entity E1: bad offsets [0, {len(TEXT) + 1}): end {len(TEXT) + 1} is past the text "
     f"({len(TEXT)} code points)"),
    ({"id": "E1", "start": 5, "end": 5, "label": "PER"}, "entities[0]",
     "entity E1: bad offsets [5, 5): start >= end"),
    ({"id": "E1", "start": 0, "end": 5, "label": "positive"}, "entities[0].label",
     "entity E1: 'positive' is a sentiment label, not an entity label"),
])
def test_bad_entities_are_refused_naming_the_entity(world, annotator, entity, field, message):
    errors = put_error(annotator, world, entities=[entity], relations=[])
    assert errors == [{"field": field, "message": message}]


def test_a_label_of_another_project_is_refused(world, annotator):
    other = ProjectFactory()
    services.label_create(project=other, kind="entity", name="GPE")
    errors = put_error(annotator, world, relations=[],
                       entities=[{"id": "T1", "start": 0, "end": 5, "label": "GPE"}])
    assert errors == [{"field": "entities[0].label",
                       "message": "entity T1: no entity label named 'GPE' in this project"}]


def test_a_relation_to_a_missing_entity_is_refused(world, annotator):
    errors = put_error(annotator, world,
                       relations=[{"head": "T1", "tail": "T9", "label": "works_for"}])
    assert errors == [{"field": "relations[0].tail", "message": "no entity with id 'T9'"}]


def test_a_relation_between_disallowed_types_is_refused(world, annotator):
    errors = put_error(annotator, world,
                       relations=[{"head": "T2", "tail": "T1", "label": "works_for"}])
    assert errors == [{"field": "relations[0].head",
                       "message": "works_for does not allow a ORG entity at its head"}]


def test_overlap_is_refused_when_the_project_forbids_it(world, annotator):
    overlapping = [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                   {"id": "T2", "start": 2, "end": 8, "label": "ORG"}]
    errors = put_error(annotator, world, entities=overlapping, relations=[])
    assert errors == [{"field": "entities[1]", "message": "entity T2 [2, 8) overlaps entity T1 "
                       "[0, 5), and this project does not allow overlapping spans"}]
    services.project_update(project=world.project, allow_overlapping_spans=True)
    assert annotator.put(url(world), body(entities=overlapping, relations=[]),
                         format="json").status_code == 200


def test_malformed_fields_name_the_field(world, annotator):
    response = annotator.put(url(world), {"entities": [{"start": "x", "end": 3}],
                                          "version": 0}, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"entities[0].start", "entities[0].label"}
    assert annotator.put(url(world), body(sentiment=3), format="json").json()["errors"][0][
        "field"] == "sentiment"


def test_only_a_document_leased_to_you_can_be_written(world, annotator):
    other = DocumentFactory(project=world.project)
    response = annotator.put(url(world, document=other), body(), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "This document is not assigned to you."
    assert annotator.get(url(world, document=other)).status_code == 403
    foreign = DocumentFactory()
    assert annotator.get(url(world, document=foreign)).status_code == 404


def test_one_annotator_cannot_see_or_touch_anothers_annotation(world, annotator):
    annotator.put(url(world), body(), format="json")
    reviewer = world.users["reviewer"]
    AssignmentFactory(document=world.document, annotator=reviewer)
    theirs = api_client_for(reviewer).get(url(world)).json()
    assert theirs["version"] == 0  # the reviewer's own, empty
    listing = api_client_for(reviewer).get(url(world, "api:annotations"))
    assert [a["annotator"] for a in listing.json()] == ["annotator-user"]
    assert listing.json()[0]["entities"][1]["text"] == "阿里巴巴"
    assert api_client_for(world.users["annotator"]).get(
        url(world, "api:annotations")).status_code == 403


def test_skip_through_the_api(world, annotator):
    assert annotator.post(url(world, "api:skip")).status_code == 204
    assert annotator.post(url(world, "api:skip")).status_code == 409
    assert annotator.put(url(world), body(), format="json").status_code == 403


def test_the_answer_to_a_save_is_what_a_read_gives(world, annotator):
    services.project_update(project=world.project, sentiment_multi_label=True,
                            allow_overlapping_spans=True)
    entities = [{"id": "b", "start": 13, "end": 17, "label": "ORG"},
                {"id": "a", "start": 0, "end": 5, "label": "PER"},
                {"id": "c", "start": 0, "end": 3, "label": "ORG"}]
    saved = annotator.put(url(world), body(entities=entities, sentiment=["negative", "positive"],
                                           relations=[{"head": "a", "tail": "b",
                                                       "label": "works_for"}]), format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json() == annotator.get(url(world)).json()
    assert [e["id"] for e in saved.json()["entities"]] == ["T1", "T2", "T3"]


def test_next_and_save_stay_within_their_query_budgets(world, django_assert_max_num_queries):
    """A guard on the hot paths' shape (queries, not seconds: speed is measured by bench)."""
    client = api_client_for(world.users["annotator"])
    # a savepoint per probe; 3 for the label schema (cold cache), which refuses a project
    # that cannot be labelled and is cached for the saves that follow; 1 for the suggestions
    with django_assert_max_num_queries(17):
        doc = client.get(reverse("api:next", kwargs={"project_id": world.project.pk})).json()
    target = url(world, document=world.document)
    assert doc["document"]["id"] == world.document.pk
    client.put(target, body(), format="json")
    with django_assert_max_num_queries(16):  # savepoints included; PostgreSQL needs fewer
        assert client.put(target, body(version=1), format="json").status_code == 200


def test_a_save_may_send_only_its_changes(world, annotator):
    first = annotator.put(url(world), body(), format="json")
    assert first.status_code == 200
    alice, org = ({"start": 0, "end": 5, "label": "PER"}, {"start": 13, "end": 17, "label": "ORG"})
    year = {"start": 21, "end": 25, "label": "ORG"}
    changed = annotator.put(url(world), {"version": 1, "status": "draft", "changes": {
        "entities": {"add": [year], "remove": [org]},
        "relations": {"add": [{"head": alice, "tail": year, "label": "works_for"}]},
        "sentiment": "negative"}}, format="json")
    assert changed.status_code == 200, changed.json()
    stored = annotator.get(url(world)).json()
    assert stored["version"] == 2
    assert [(e["text"], e["label"]) for e in stored["entities"]] == [("Alice", "PER"),
                                                                     ("2019", "ORG")]
    assert [r["label"] for r in stored["relations"]] == ["works_for"]  # to 2019, not 阿里巴巴
    assert stored["sentiment"] == "negative"
    assert changed.json() == {"brief": True, "status": "draft", "version": 2,
                              "seconds_spent": 0.0}
    # a stale version is a conflict, as for a whole save; so are changes that do not fit
    stale = annotator.put(url(world), {"version": 1, "status": "draft", "changes": {}},
                          format="json")
    assert stale.status_code == 409
    assert stale.json()["errors"] == [{"field": "version", "message": "stale version"}]
    unfit = annotator.put(url(world), {"version": 2, "status": "draft", "changes": {
        "entities": {"remove": [org]}}}, format="json")
    assert unfit.status_code == 409
    assert unfit.json()["errors"][0]["field"] == "changes.entities.remove[0]"
    # the result is checked as any save: an overlap is refused, and nothing is stored
    overlap = annotator.put(url(world), {"version": 2, "status": "draft", "changes": {
        "entities": {"add": [{"start": 2, "end": 8, "label": "PER"}]}}}, format="json")
    assert overlap.status_code == 400
    assert annotator.get(url(world)).json()["version"] == 2
    both = annotator.put(url(world), {**body(version=2), "changes": {}}, format="json")
    assert both.status_code == 400
    assert both.json()["errors"][0]["field"] == "changes"
