"""Gold: saves with a version check, the revision history, auto-accept on submission."""

import pytest

from annotation.models import (
    Annotation,
    AnnotationKind,
    DocumentStatus,
    GoldRevision,
    GoldSource,
)
from annotation.pure.review import change, unanimous
from annotation.selectors.gold import document_labellings, gold_of, gold_revisions
from annotation.services.annotations import annotation_write
from annotation.services.gold import gold_save
from projects import services
from projects.errors import Conflict, ServiceError
from projects.models import AuditAction, AuditEvent
from tests.factories import AssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
# The world document: "Alice joined 阿里巴巴 in 2019 🎉"
CONTENT = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                        {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
           "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
           "sentiment": "positive"}


def submit(world, user, content, document=None):
    document = document or world.document
    AssignmentFactory(document=document, annotator=user)
    return annotation_write(project=world.project, document_id=document.pk, user=user,
                            content=content, version=0, status="submitted", seconds_spent=1)


@pytest.fixture
def reviewer(world):
    return world.users["reviewer"]


@pytest.fixture
def pair(world):
    """Two annotators on a project with k=2."""
    people = [UserFactory(username="ann-a"), UserFactory(username="ann-b")]
    for person in people:
        services.member_add(project=world.project, username=person.username, role="annotator")
    return people


def test_a_save_sets_the_gold_reviews_the_document_and_keeps_a_revision(world, reviewer):
    assert gold_of(document=world.document)["version"] == 0
    saved = gold_save(document=world.document, content=CONTENT, by=reviewer, version=0)
    assert saved.annotation.version == 1
    world.document.refresh_from_db()
    assert world.document.status == DocumentStatus.REVIEWED
    gold = gold_of(document=world.document)
    assert (gold["version"], gold["updated_by"], gold["sentiment"]) == (1, reviewer.username,
                                                                       "positive")
    assert [e["text"] for e in gold["entities"]] == ["Alice", "阿里巴巴"]
    [revision] = GoldRevision.objects.filter(document=world.document)
    assert (revision.version, revision.by, revision.source) == (1, reviewer, GoldSource.REVIEW)
    assert revision.content["relations"] == CONTENT["relations"]
    event = AuditEvent.objects.get(action=AuditAction.GOLD_CHANGE)
    assert (event.actor, event.data["version"], event.data["source"]) == (reviewer, 1, "review")


def test_every_revision_is_kept_and_says_what_changed(world, reviewer):
    other = world.users["manager"]
    gold_save(document=world.document, content=CONTENT, by=reviewer, version=0)
    gold_save(document=world.document, by=other, version=1,
              content={**CONTENT, "relations": [], "sentiment": "negative"})
    history = gold_revisions(document=world.document)
    assert [(r.version, r.by) for r in history] == [(2, other.username), (1, reviewer.username)]
    newest = history[0].change
    assert newest.removed_relations == [((0, 5, "PER"), (13, 17, "ORG"), "works_for")]
    assert newest.added_entities == newest.removed_entities == []
    assert (newest.sentiment_before, newest.sentiment_after) == (["positive"], ["negative"])
    assert history[1].change.added_entities == [(0, 5, "PER"), (13, 17, "ORG")]


def test_a_stale_version_is_a_conflict_and_changes_nothing(world, reviewer):
    gold_save(document=world.document, content=CONTENT, by=reviewer, version=0)
    gold_save(document=world.document, content={"sentiment": "negative"}, by=reviewer,
              version=1)
    with pytest.raises(Conflict) as caught:
        gold_save(document=world.document, content={}, by=world.users["manager"], version=1)
    assert caught.value.errors == [{"field": "version", "message": "stale version"}]
    assert gold_of(document=world.document)["sentiment"] == "negative"
    assert GoldRevision.objects.filter(document=world.document).count() == 2


def test_two_first_saves_one_conflicts(world, reviewer):
    gold_save(document=world.document, content=CONTENT, by=reviewer, version=0)
    with pytest.raises(Conflict):
        gold_save(document=world.document, content={}, by=world.users["manager"], version=0)


def test_invalid_gold_is_refused_like_an_annotation(world, reviewer):
    bad = {"entities": [{"id": "T1", "start": 0, "end": 99, "label": "PER"}]}
    with pytest.raises(ServiceError) as caught:
        gold_save(document=world.document, content=bad, by=reviewer, version=0)
    assert caught.value.errors[0]["field"] == "entities[0]"
    assert not Annotation.objects.filter(kind=AnnotationKind.GOLD).exists()
    assert not GoldRevision.objects.exists()


def test_auto_accept_sets_gold_when_k_submissions_agree_exactly(world, pair):
    services.project_update(project=world.project, auto_accept_gold=True)
    submit(world, pair[0], CONTENT)
    assert not Annotation.objects.filter(kind=AnnotationKind.GOLD).exists()  # 1 of k=2
    reordered = {**CONTENT, "entities": [{"id": "b", "start": 13, "end": 17, "label": "ORG"},
                                         {"id": "a", "start": 0, "end": 5, "label": "PER"}],
                 "relations": [{"head": "a", "tail": "b", "label": "works_for"}]}
    submit(world, pair[1], reordered)  # the same items under other ids
    gold = Annotation.objects.get(document=world.document, kind=AnnotationKind.GOLD)
    assert gold.annotator is None
    world.document.refresh_from_db()
    assert world.document.status == DocumentStatus.REVIEWED
    [revision] = gold_revisions(document=world.document)
    assert (revision.source, revision.by, revision.version) == ("auto", None, 1)
    assert gold_of(document=world.document)["relations"] == CONTENT["relations"]


@pytest.mark.parametrize("other", [
    {**CONTENT, "entities": [{"id": "T1", "start": 0, "end": 4, "label": "PER"},
                             CONTENT["entities"][1]]},
    {**CONTENT, "entities": [{"id": "T1", "start": 0, "end": 5, "label": "ORG"},
                             CONTENT["entities"][1]],
     "relations": []},
    {**CONTENT, "relations": []},
    {**CONTENT, "sentiment": "negative"},
    {**CONTENT, "sentiment": None},
], ids=["offsets", "label", "relation", "sentiment", "no-sentiment"])
def test_auto_accept_needs_exact_agreement(world, pair, other):
    services.project_update(project=world.project, auto_accept_gold=True)
    submit(world, pair[0], CONTENT)
    submit(world, pair[1], other)
    assert not Annotation.objects.filter(kind=AnnotationKind.GOLD).exists()
    world.document.refresh_from_db()
    assert world.document.status == DocumentStatus.ANNOTATED


def test_without_the_option_agreeing_submissions_wait_for_review(world, pair):
    assert world.project.auto_accept_gold is False
    submit(world, pair[0], CONTENT)
    submit(world, pair[1], CONTENT)
    world.document.refresh_from_db()
    assert world.document.status == DocumentStatus.ANNOTATED
    assert not GoldRevision.objects.exists()


def test_auto_accept_never_replaces_a_reviewers_gold(world, pair, reviewer):
    services.project_update(project=world.project, auto_accept_gold=True)
    submit(world, pair[0], CONTENT)
    gold_save(document=world.document, content={"sentiment": "negative"}, by=reviewer,
              version=0)
    submit(world, pair[1], CONTENT)
    gold = gold_of(document=world.document)
    assert (gold["version"], gold["sentiment"], gold["updated_by"]) == (1, "negative",
                                                                       reviewer.username)


def test_labellings_are_read_in_a_fixed_number_of_queries(world, pair,
                                                          django_assert_num_queries):
    submit(world, pair[0], CONTENT)
    submit(world, pair[1], {"sentiment": "negative"})
    with django_assert_num_queries(4):
        found = document_labellings(document=world.document)
    assert [(lab.annotator, lab.content["sentiment"]) for lab in found] == [
        ("ann-a", "positive"), ("ann-b", "negative")]
    assert found[0].content["entities"][1]["text"] == "阿里巴巴"


def test_unanimous_and_change_compare_by_meaning():
    a = {"entities": [{"id": "x", "start": 1, "end": 2, "label": "P"}], "relations": [],
         "sentiment": ["s", "t"]}
    b = {"entities": [{"id": "y", "start": 1, "end": 2, "label": "P"}], "relations": [],
         "sentiment": ["t", "s"]}
    assert unanimous([a, b])
    assert unanimous([a])
    assert not unanimous([])
    assert not unanimous([a, {**b, "sentiment": "s"}])
    assert change(a, b).empty
    assert change(None, a).added_entities == [(1, 2, "P")]
