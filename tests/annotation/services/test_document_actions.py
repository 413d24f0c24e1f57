"""Bulk actions of the document manager: each action, small sets at once and large ones as
jobs, assignments that `next` serves first within k, and the bad inputs."""

import pytest
from django.conf import settings
from django.http import Http404
from django.urls import reverse

from annotation.models import (
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    Document,
)
from annotation.services.assignments import assignment_next
from annotation.services.document_actions import (
    INLINE_MAX,
    Outcome,
    Selection,
    documents_bulk,
)
from annotation.services.store import annotation_save
from projects import services
from projects.errors import ServiceError
from projects.models import AuditEvent, Job, Role
from tests.concurrency import run_together
from tests.conftest import api_client_for
from tests.factories import AssignmentFactory, DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db
GOLD = {"entities": [], "relations": [], "sentiment": "positive"}


def bulk(world, action, selection, annotators=()):
    return documents_bulk(project=world.project, by=world.users["manager"], action=action,
                          selection=selection, annotators=annotators)


def docs(world, n, **fields):
    return [DocumentFactory(project=world.project, **fields) for _ in range(n)]


def with_gold(document):
    annotation_save(document=document, content=GOLD, annotator=None, kind=AnnotationKind.GOLD,
                    status=AnnotationStatus.SUBMITTED)


def test_gold_check_marks_those_with_gold_and_counts_the_rest(world):
    chosen = docs(world, 3)
    with_gold(chosen[0])
    with_gold(chosen[1])
    done = bulk(world, "gold_check", Selection(ids=[d.pk for d in chosen]))
    assert isinstance(done, Outcome)
    assert done.as_dict() == {"action": "gold_check", "documents": 3, "changed": 2,
                              "without_gold": 1}
    assert set(Document.objects.filter(is_gold_check=True).values_list("pk", flat=True)) \
        == {chosen[0].pk, chosen[1].pk}
    again = bulk(world, "gold_check", Selection(ids=[d.pk for d in chosen]))
    assert again.counts["changed"] == 0  # idempotent
    undone = bulk(world, "ungold_check", Selection(filter={"gold_check": True}))
    assert undone.as_dict() == {"action": "ungold_check", "documents": 2, "changed": 2}
    event = AuditEvent.objects.filter(action="bulk").first()
    assert event.data["filter"] == {"gold_check": True}
    assert event.data["changed"] == 2


def test_delete_removes_the_documents_and_everything_of_theirs(world):
    chosen = docs(world, 2)
    kept = docs(world, 1)[0]
    annotation_save(document=chosen[0], content=GOLD, annotator=world.users["annotator"])
    AssignmentFactory(document=chosen[0], annotator=world.users["annotator"])
    with_gold(chosen[1])
    done = bulk(world, "delete", Selection(ids=[d.pk for d in chosen]))
    assert done.as_dict() == {"action": "delete", "documents": 2, "deleted": 2}
    assert not Document.objects.filter(pk__in=[d.pk for d in chosen]).exists()
    assert not Annotation.objects.filter(document_id__in=[d.pk for d in chosen]).exists()
    assert not Assignment.objects.filter(document_id__in=[d.pk for d in chosen]).exists()
    assert Document.objects.filter(pk=kept.pk).exists()


def test_ids_of_another_project_are_a_404_and_nothing_changes(world):
    mine = docs(world, 2)
    theirs = DocumentFactory()
    with pytest.raises(Http404):
        bulk(world, "delete", Selection(ids=[mine[0].pk, theirs.pk]))
    assert Document.objects.filter(pk__in=[mine[0].pk, theirs.pk]).count() == 2
    assert not AuditEvent.objects.filter(action="bulk").exists()


def test_a_filter_never_reaches_another_projects_documents(world):
    theirs = DocumentFactory(text="Alice elsewhere")
    done = bulk(world, "delete", Selection(filter={"q": "Alice"}))
    assert done.counts["deleted"] == 1  # the world's own document
    assert Document.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(("who", "message"), [
    ("consumer", "consumer-user is a consumer and may not label."),
    ("outsider", "outsider is not a member of this project."),
    ("nobody", "nobody is not a member of this project."),
])
def test_assigning_to_one_who_may_not_label_is_a_400_naming_them(world, who, message):
    with pytest.raises(ServiceError) as caught:
        bulk(world, "assign", Selection(ids=[world.document.pk]),
             annotators=["annotator-user", world.users[who].username if who in world.users
                         else who])
    assert caught.value.errors == [{"field": "annotators", "message": message}]
    assert not Assignment.objects.exists()
    with pytest.raises(ServiceError):
        bulk(world, "assign", Selection(ids=[world.document.pk]), annotators=[])


def test_assign_keeps_k_and_next_serves_assigned_documents_first(world):
    project = world.project  # k = 2
    _first, second, third = docs(world, 3)
    annotator, reviewer = world.users["annotator"], world.users["reviewer"]
    other = UserFactory()
    services.member_add(project=project, username=other.username, role=Role.ANNOTATOR)
    AssignmentFactory(document=third, annotator=other)  # one of third's two places taken
    Document.objects.filter(pk=second.pk).update(is_gold_check=True)
    done = bulk(world, "assign", Selection(ids=[third.pk, second.pk]),
                annotators=[annotator.username, reviewer.username])
    assert done.as_dict() == {"action": "assign", "documents": 2, "gold_checks": 1,
                              "assigned": 1, "full": 1, "already": 0}
    assert Assignment.objects.get(document=third, annotator=annotator).status == "assigned"
    again = bulk(world, "assign", Selection(ids=[third.pk]), annotators=[annotator.username])
    assert again.as_dict() == {"action": "assign", "documents": 1, "assigned": 0,
                               "already": 1, "full": 0, "gold_checks": 0}
    # next: the assigned document first, though `first` comes before it by id
    lease = assignment_next(project=project, user=annotator)
    assert lease.document_id == third.pk
    assert lease.status == AssignmentStatus.ACTIVE
    assert assignment_next(project=project, user=annotator).document_id == third.pk  # resumed
    # the reviewer found no room on third: they get the sequential order
    assert assignment_next(project=project, user=reviewer).document_id == world.document.pk


def test_a_skipped_document_can_be_assigned_again(world):
    annotator = world.users["annotator"]
    AssignmentFactory(document=world.document, annotator=annotator, status="skipped",
                      skip_reason="unclear")
    done = bulk(world, "assign", Selection(ids=[world.document.pk]),
                annotators=[annotator.username])
    assert done.counts["assigned"] == 1
    row = Assignment.objects.get(document=world.document, annotator=annotator)
    assert (row.status, row.skip_reason) == ("assigned", "")


def test_a_large_selection_is_a_job_that_acts_in_batches(world, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    monkeypatch.setattr("annotation.services.document_actions.BATCH", 7)
    chosen = docs(world, INLINE_MAX + 10)
    for d in chosen[:20]:
        with_gold(d)
    with django_capture_on_commit_callbacks(execute=True):  # the job, run in-process
        job = bulk(world, "gold_check", Selection(filter={}))
    assert isinstance(job, Job)
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.result == {"action": "gold_check", "documents": INLINE_MAX + 11, "changed": 20,
                          "without_gold": INLINE_MAX + 11 - 20}
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk(world, "assign", Selection(ids=[d.pk for d in chosen]),
                   annotators=["annotator-user"])
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.result["assigned"] == INLINE_MAX + 10 - 20  # checks left out
    assert job.progress == 1.0
    event = AuditEvent.objects.filter(action="bulk").first()
    assert event.data["job"] == job.pk
    assert event.data["annotators"] == ["annotator-user"]


def test_bulk_through_the_api(world, django_capture_on_commit_callbacks):
    client = api_client_for(world.users["manager"])
    url = reverse("api:documents-bulk", kwargs={"project_id": world.project.pk})
    chosen = docs(world, 2)
    answer = client.post(url, {"action": "delete", "ids": [chosen[0].pk]}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {"action": "delete", "documents": 1, "deleted": 1}
    theirs = DocumentFactory()
    assert client.post(url, {"action": "delete", "ids": [theirs.pk]},
                       format="json").status_code == 404
    bad = client.post(url, {"action": "assign", "ids": [chosen[1].pk],
                            "annotators": ["consumer-user"]}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "annotators"
    both = client.post(url, {"action": "delete", "ids": [1], "filter": {}}, format="json")
    assert both.status_code == 400
    meta = client.post(url, {"action": "gold_check", "filter": {"meta.x'); --": "1"}},
                       format="json")
    assert meta.status_code == 200
    assert meta.json()["documents"] == 0
    many = docs(world, INLINE_MAX + 1)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"action": "delete", "ids": [d.pk for d in many]},
                              format="json")
    assert started.status_code == 202
    assert client.get(reverse("api:job", kwargs={"job_id": started.json()["id"]})) \
        .json()["result"] == {"action": "delete", "documents": INLINE_MAX + 1,
                              "deleted": INLINE_MAX + 1}
    reviewer = api_client_for(world.users["reviewer"])
    assert reviewer.post(url, {"action": "delete", "ids": [chosen[1].pk]},
                         format="json").status_code == 403
    assert Document.objects.filter(pk=chosen[1].pk).exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                    reason="row locks need PostgreSQL (DATABASE_URL)")
def test_assign_and_next_together_never_exceed_k(world):
    """Managers assign while annotators take documents: no document ever has more than k
    holders."""
    project = world.project
    many = docs(world, 30)
    takers = [UserFactory() for _ in range(4)]
    for user in takers:
        services.member_add(project=project, username=user.username, role=Role.ANNOTATOR)
    assignees = [UserFactory() for _ in range(3)]
    for user in assignees:
        services.member_add(project=project, username=user.username, role=Role.ANNOTATOR)
    manager = world.users["manager"]

    def take(user):
        for _ in range(10):
            assignment_next(project=project, user=user)
            Assignment.objects.filter(annotator=user, status="active").update(
                status="submitted")

    def assign(user):
        documents_bulk(project=project, by=manager, action="assign",
                       selection=Selection(ids=[d.pk for d in many[:INLINE_MAX]]),
                       annotators=[user.username])

    errors = run_together(lambda kind, user: take(user) if kind == "take" else assign(user),
                          [("take", u) for u in takers] + [("assign", u) for u in assignees])
    assert errors == []
    live = Assignment.objects.filter(status__in=["active", "submitted", "assigned"])
    per_document = {}
    for row in live:
        per_document[row.document_id] = per_document.get(row.document_id, 0) + 1
    assert max(per_document.values()) <= project.overlap
    assert live.filter(status="assigned").exists()


def test_a_lapsed_lease_gives_way_to_an_assigned_document(world):
    from datetime import timedelta

    from django.utils import timezone

    annotator = world.users["annotator"]
    lapsed, handed = docs(world, 2)
    AssignmentFactory(document=lapsed, annotator=annotator,
                      expires_at=timezone.now() - timedelta(minutes=1))
    bulk(world, "assign", Selection(ids=[handed.pk]), annotators=[annotator.username])
    lease = assignment_next(project=world.project, user=annotator)
    assert lease.document_id == handed.pk
    assert Assignment.objects.get(document=lapsed, annotator=annotator).status == "expired"
