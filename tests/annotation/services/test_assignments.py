"""Handing out documents: k holders, never twice, leases that run out, skips."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotation import selectors
from annotation.models import Assignment, AssignmentStatus
from annotation.services.annotations import annotation_write
from annotation.services.assignments import NotAssigned, assignment_next, assignment_skip
from projects import services
from projects.errors import Conflict, ServiceError
from tests.factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    """Three more annotators on the world project (overlap 2) and three documents in all."""
    people = [world.users["annotator"]]
    for name in ("ann-b", "ann-c", "ann-d"):
        people.append(UserFactory(username=name))
        services.member_add(project=world.project, username=name, role="annotator")
    docs = [world.document] + [DocumentFactory(project=world.project) for _ in range(2)]
    return people, docs


def expire(assignment):
    Assignment.objects.filter(pk=assignment.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))


def submit(world, user, document):
    return annotation_write(project=world.project, document_id=document.pk, user=user,
                            content={"entities": [], "relations": [], "sentiment": "positive"},
                            version=0, status="submitted", seconds_spent=3)


def test_documents_go_in_order_and_to_at_most_k_annotators(world, team):
    people, docs = team
    got = [assignment_next(project=world.project, user=u).document_id for u in people]
    # k = 2: the first document to two people, then the second to the next two.
    assert got == [docs[0].pk, docs[0].pk, docs[1].pk, docs[1].pk]


def test_an_open_lease_is_resumed_not_doubled(world, team):
    person = team[0][0]
    first = assignment_next(project=world.project, user=person)
    again = assignment_next(project=world.project, user=person)
    assert again.pk == first.pk
    assert again.expires_at >= first.expires_at
    assert Assignment.objects.filter(annotator=person).count() == 1


def test_never_the_same_document_twice(world, team):
    person = team[0][0]
    seen = []
    while (assignment := assignment_next(project=world.project, user=person)) is not None:
        seen.append(assignment.document_id)
        submit(world, person, assignment.document)
    assert sorted(seen) == sorted(d.pk for d in team[1])


def test_a_lapsed_lease_frees_the_slot(world, team):
    a, b, c, _ = team[0]
    first = assignment_next(project=world.project, user=a)
    assignment_next(project=world.project, user=b)
    assert assignment_next(project=world.project, user=c).document_id != first.document_id
    expire(first)
    Assignment.objects.filter(annotator=c).delete()
    assert assignment_next(project=world.project, user=c).document_id == first.document_id
    first.refresh_from_db()
    assert first.status == AssignmentStatus.ACTIVE  # not swept; it just stopped counting
    # a comes back: their lease is marked expired and they get another document.
    assert assignment_next(project=world.project, user=a).document_id != first.document_id
    first.refresh_from_db()
    assert first.status == AssignmentStatus.EXPIRED


def test_lease_minutes_come_from_the_project(world, team):
    services.project_update(project=world.project, lease_minutes=5)
    lease = assignment_next(project=world.project, user=team[0][0])
    assert timedelta(minutes=4) < lease.expires_at - timezone.now() <= timedelta(minutes=5)


def test_skip_is_recorded_and_never_comes_back(world, team):
    person = team[0][0]
    lease = assignment_next(project=world.project, user=person)
    assignment_skip(project=world.project, user=person, document=lease.document)
    lease.refresh_from_db()
    assert (lease.status, lease.finished_at is not None) == (AssignmentStatus.SKIPPED, True)
    assert assignment_next(project=world.project, user=person).document_id != lease.document_id
    progress = selectors.progress_of(project=world.project, user=person)
    assert (progress.done, progress.skipped, progress.remaining) == (0, 1, 2)
    with pytest.raises(Conflict):
        assignment_skip(project=world.project, user=person, document=lease.document)


def test_progress_counts_done_skipped_remaining(world, team):
    person = team[0][0]
    assert selectors.progress_of(project=world.project, user=person).remaining == 3
    submit(world, person, assignment_next(project=world.project, user=person).document)
    progress = selectors.progress_of(project=world.project, user=person)
    assert (progress.done, progress.skipped, progress.remaining) == (1, 0, 2)
    assert progress.current is None


def test_writing_needs_a_lease(world, team):
    with pytest.raises(NotAssigned):
        submit(world, team[0][0], team[1][0])


def test_a_lapsed_lease_can_still_save_while_there_is_room(world, team):
    a = team[0][0]
    lease = assignment_next(project=world.project, user=a)
    expire(lease)
    submit(world, a, lease.document)
    lease.refresh_from_db()
    assert lease.status == AssignmentStatus.SUBMITTED


def test_a_lapsed_lease_whose_slot_was_taken_cannot_save(world, team):
    a, b, c, _ = team[0]
    lease = assignment_next(project=world.project, user=a)
    assignment_next(project=world.project, user=b)
    expire(lease)
    assert assignment_next(project=world.project, user=c).document_id == lease.document_id
    with pytest.raises(Conflict, match="went to other annotators"):
        submit(world, a, lease.document)


def test_submitted_work_is_not_turned_back_into_a_draft(world, team):
    a = team[0][0]
    lease = assignment_next(project=world.project, user=a)
    submit(world, a, lease.document)
    with pytest.raises(ServiceError, match="submitted"):
        annotation_write(project=world.project, document_id=lease.document_id, user=a,
                         content={}, version=1, status="draft", seconds_spent=1)


def test_k_submissions_make_the_document_annotated_and_it_leaves_the_pool(world, team):
    a, b, c, _ = team[0]
    doc = assignment_next(project=world.project, user=a).document
    assert assignment_next(project=world.project, user=b).document_id == doc.pk
    submit(world, a, doc)
    submit(world, b, doc)
    doc.refresh_from_db()
    assert doc.status == "annotated"
    assert assignment_next(project=world.project, user=c).document_id != doc.pk


def test_annotations_made_elsewhere_hold_their_slots_after_the_backfill(world, team):
    from annotation.services.assignments import assignments_backfill
    from annotation.services.store import annotation_save

    a, b, c, _ = team[0]
    first = team[1][0]
    for person in (a, b):
        annotation_save(document=first, annotator=person, status="submitted", version=0,
                        content={"sentiment": "positive"})
    assert assignments_backfill(project_id=world.project.pk) == 2
    assert assignments_backfill(project_id=world.project.pk) == 0  # idempotent
    for person in (a, c):
        assert assignment_next(project=world.project, user=person).document_id != first.pk
    rows = Assignment.objects.filter(document=first)
    assert set(rows.values_list("status", flat=True)) == {AssignmentStatus.SUBMITTED}


def test_the_demo_annotators_are_not_handed_their_own_documents_again(db):
    from annotation.demo.loader import PROJECT_NAME, load_demo
    from projects.models import Project

    load_demo()
    project = Project.objects.get(name=PROJECT_NAME)
    annotator = project.memberships.get(user__username="annotator1").user
    done = set(Assignment.objects.filter(annotator=annotator, project=project)
               .values_list("document_id", flat=True))
    assert done
    lease = assignment_next(project=project, user=annotator)
    assert lease is None or lease.document_id not in done


def test_imported_annotations_hold_their_slots(world, team, django_capture_on_commit_callbacks):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from annotation.services.imports.jobs import import_start
    from annotation.services.imports.options import ImportOptions

    a, b, c, _ = team[0]
    services.project_update(project=world.project, overlap=3)
    record = {"id": "imp-1", "text": "Imported text by two people.", "annotations": [
        {"annotator": a.username, "sentiment": "positive"},
        {"annotator": b.username, "sentiment": "negative"}]}
    upload = SimpleUploadedFile("x.jsonl", json.dumps(record).encode())
    with django_capture_on_commit_callbacks(execute=True):
        job = import_start(project=world.project, by=world.users["manager"], upload=upload,
                           options=ImportOptions())
    job.refresh_from_db()
    assert job.status == "succeeded", job.errors
    imported = world.project.documents.get(external_id="imp-1")
    assert set(Assignment.objects.filter(document=imported).values_list("annotator", "status")
               ) == {(a.pk, "submitted"), (b.pk, "submitted")}
    open_to = {person.username: set(selectors.documents_open_to(
        project=world.project, user=person, now=timezone.now()).values_list("pk", flat=True))
        for person in (a, b, c)}
    assert imported.pk not in open_to[a.username] | open_to[b.username]  # done by them
    assert imported.pk in open_to[c.username]  # k = 3 leaves one slot
