"""Skips keep the annotator's work and say why; managers see them and return them to the
queue (issue 14, item 5; docs/review.md, "Skipped documents")."""

import pytest
from django.urls import reverse

from annotation import selectors
from annotation.models import (
    SKIP_REASON_MAX,
    Annotation,
    Assignment,
    AssignmentStatus,
    Document,
)
from annotation.services.annotations import annotation_write
from annotation.services.assignments import assignment_next, assignment_skip, documents_requeue
from projects import services
from projects.errors import ServiceError
from projects.models import AuditAction, AuditEvent
from tests.conftest import api_client_for, page_client_for
from tests.factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db
DRAFT = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"}], "relations": [],
         "sentiment": "positive"}


@pytest.fixture
def second(world):
    """A second document after the world's, so a skipper has somewhere else to go."""
    return DocumentFactory(project=world.project, text="Bob works for Initech.")


def draft_then_skip(world, user, reason="Not in English"):
    """`user` takes the first open document, saves a draft with one entity, skips it."""
    lease = assignment_next(project=world.project, user=user)
    annotation_write(project=world.project, document_id=lease.document_id, user=user,
                     content=DRAFT, version=0, status="draft", seconds_spent=4)
    assignment_skip(project=world.project, user=user, document=lease.document, reason=reason)
    return lease.document


def requeue(world, documents):
    ids = [d.pk for d in documents]
    return documents_requeue(project=world.project, by=world.users["manager"],
                             documents=Document.objects.filter(pk__in=ids), scope={"ids": ids})


def test_a_skip_keeps_the_draft_and_stores_the_reason(world, second):
    annotator = world.users["annotator"]
    document = draft_then_skip(world, annotator, reason="  Not in English \n")
    skip = Assignment.objects.get(document=document, annotator=annotator)
    assert (skip.status, skip.skip_reason) == (AssignmentStatus.SKIPPED, "Not in English")
    draft = Annotation.objects.get(document=document, annotator=annotator)
    assert (draft.status, draft.version, draft.spans.count()) == ("draft", 1, 1)
    # It does not come back to them by itself.
    assert assignment_next(project=world.project, user=annotator).document_id == second.pk


def test_a_skip_reason_has_a_maximum_length(world):
    annotator = world.users["annotator"]
    lease = assignment_next(project=world.project, user=annotator)
    with pytest.raises(ServiceError) as caught:
        assignment_skip(project=world.project, user=annotator, document=lease.document,
                        reason="x" * (SKIP_REASON_MAX + 1))
    assert caught.value.errors[0]["field"] == "reason"
    lease.refresh_from_db()
    assert lease.status == AssignmentStatus.ACTIVE
    assignment_skip(project=world.project, user=annotator, document=lease.document,
                    reason="x" * SKIP_REASON_MAX)


def test_requeue_gives_the_skipper_their_draft_back_and_is_audited(world):
    annotator = world.users["annotator"]
    document = draft_then_skip(world, annotator)
    assert assignment_next(project=world.project, user=annotator) is None  # nothing else
    done = requeue(world, [document])
    assert (done.documents, done.skips) == (1, 1)
    row = Assignment.objects.get(document=document, annotator=annotator)
    assert (row.status, row.skip_reason) == (AssignmentStatus.EXPIRED, "")
    again = assignment_next(project=world.project, user=annotator)
    assert again.document_id == document.pk
    mine = selectors.annotation_of(document=document, user=annotator)
    assert ([e["text"] for e in mine["entities"]], mine["version"]) == (["Alice"], 1)
    saved = annotation_write(project=world.project, document_id=document.pk, user=annotator,
                             content=DRAFT, version=1, status="submitted", seconds_spent=2)
    assert saved.annotation.status == "submitted"
    event = AuditEvent.objects.get(action=AuditAction.REQUEUE)
    assert event.actor == world.users["manager"]
    assert event.data["returned"] == [{"document": document.pk, "annotator": annotator.username,
                                       "reason": "Not in English"}]
    assert (event.data["documents"], event.data["skips"], event.data["ids"]) == (
        1, 1, [document.pk])


def test_requeue_keeps_k(world, second):
    """A requeued document is handed out only while it has room: k = 2 others hold it."""
    annotator = world.users["annotator"]
    document = draft_then_skip(world, annotator)
    for name in ("ann-b", "ann-c"):
        other = UserFactory(username=name)
        services.member_add(project=world.project, username=name, role="annotator")
        assert assignment_next(project=world.project, user=other).document_id == document.pk
    requeue(world, [document])
    assert assignment_next(project=world.project, user=annotator).document_id == second.pk


def test_requeue_touches_only_skips(world, second):
    annotator = world.users["annotator"]
    lease = assignment_next(project=world.project, user=annotator)  # active, not skipped
    done = requeue(world, Document.objects.filter(project=world.project))
    assert (done.documents, done.skips) == (0, 0)
    lease.refresh_from_db()
    assert lease.status == AssignmentStatus.ACTIVE


# --- the API -------------------------------------------------------------------------------


def api_url(world, name, **kwargs):
    return reverse(name, kwargs={"project_id": world.project.pk, **kwargs})


def test_the_skip_api_takes_a_reason(world, second):
    annotator = world.users["annotator"]
    client = api_client_for(annotator)
    lease = assignment_next(project=world.project, user=annotator)
    skip = api_url(world, "api:skip", document_id=lease.document_id)
    too_long = client.post(skip, {"reason": "x" * (SKIP_REASON_MAX + 1)}, format="json")
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["field"] == "reason"
    assert client.post(skip, {"reason": "Duplicate of doc-9"}, format="json").status_code == 204
    assert Assignment.objects.get(pk=lease.pk).skip_reason == "Duplicate of doc-9"
    lease = assignment_next(project=world.project, user=annotator)
    assert client.post(api_url(world, "api:skip", document_id=lease.document_id)
                       ).status_code == 204  # no body: no reason
    assert Assignment.objects.get(pk=lease.pk).skip_reason == ""


def test_the_documents_api_filters_skipped_and_shows_reasons_to_managers_and_reviewers(
        world, second):
    document = draft_then_skip(world, world.users["annotator"])
    for role in ("manager", "reviewer"):
        client = api_client_for(world.users[role])
        rows = client.get(api_url(world, "api:documents"), {"skipped": "true"}).json()["results"]
        assert [row["id"] for row in rows] == [document.pk]
        assert [(s["annotator"], s["reason"]) for s in rows[0]["skips"]] == [
            (world.users["annotator"].username, "Not in English")]
        detail = client.get(api_url(world, "api:document", document_id=document.pk)).json()
        assert detail["skips"][0]["reason"] == "Not in English"
        others = client.get(api_url(world, "api:documents"), {"skipped": "false"}).json()
        assert [(row["id"], row["skips"]) for row in others["results"]] == [(second.pk, [])]
        everything = client.get(api_url(world, "api:documents")).json()["results"]
        assert len(everything) == 2
    consumer = api_client_for(world.users["consumer"])  # no per-person figures (see_others)
    rows = consumer.get(api_url(world, "api:documents"), {"skipped": "true"}).json()["results"]
    assert [row["id"] for row in rows] == [document.pk]
    assert "skips" not in rows[0]


def test_bulk_requeue_through_the_api(world, second):
    annotator = world.users["annotator"]
    document = draft_then_skip(world, annotator)
    bulk = api_url(world, "api:documents-bulk")
    for role, code in (("reviewer", 403), ("annotator", 403), ("consumer", 403),
                       ("outsider", 404)):
        answer = api_client_for(world.users[role]).post(
            bulk, {"action": "requeue", "filter": {"skipped": True}}, format="json")
        assert answer.status_code == code, role
    manager = api_client_for(world.users["manager"])
    for bad in ({"action": "requeue"}, {"action": "requeue", "ids": [1], "filter": {}},
                {"action": "assign", "ids": [document.pk]},
                {"action": "requeue", "ids": [2**63]}):
        answer = manager.post(bulk, bad, format="json")
        assert answer.status_code == 400, bad
        assert set(answer.json()) == {"detail", "errors"}
    assert Assignment.objects.get(document=document, annotator=annotator).status == "skipped"
    answer = manager.post(bulk, {"action": "requeue", "filter": {"skipped": True}},
                          format="json")
    assert answer.status_code == 200
    assert answer.json() == {"action": "requeue", "documents": 1, "skips": 1}
    assert manager.get(bulk.replace("bulk/", ""), {"skipped": "true"}).json()["results"] == []
    assert assignment_next(project=world.project, user=annotator).document_id == document.pk
    event = AuditEvent.objects.get(action=AuditAction.REQUEUE)
    assert event.data["filter"] == {"skipped": True}


# --- the pages -----------------------------------------------------------------------------


def test_the_documents_page_shows_skips_and_requeues(world, second):
    annotator = world.users["annotator"]
    document = draft_then_skip(world, annotator, reason="Garbled <text>")
    page = api_url(world, "projects:documents")
    manager = page_client_for(world.users["manager"])
    html = manager.get(page, {"skipped": "true"}).content.decode()
    assert "Garbled &lt;text&gt;" in html
    assert annotator.username in html
    assert 'id="requeue-all"' in html
    assert f'name="document" value="{document.pk}"' in html
    assert "Bob works" not in html  # the filter: skipped documents only
    reviewer = page_client_for(world.users["reviewer"]).get(page).content.decode()
    assert "Garbled &lt;text&gt;" in reviewer  # sees the reasons
    assert "requeue" not in reviewer  # but may not return documents
    consumer = page_client_for(world.users["consumer"]).get(page).content.decode()
    assert "Garbled" not in consumer
    assert annotator.username not in consumer
    requeue_url = api_url(world, "projects:documents-requeue")
    for role, code in (("reviewer", 403), ("annotator", 403), ("outsider", 404)):
        answer = page_client_for(world.users[role]).post(requeue_url, {"document": document.pk})
        assert answer.status_code == code, role
    empty = manager.post(requeue_url, {"skipped": "true"})  # neither a document nor `every`
    assert empty.status_code == 302
    assert Assignment.objects.get(document=document, annotator=annotator).status == "skipped"
    answer = manager.post(requeue_url, {"document": document.pk, "skipped": "true"},
                          follow=True)
    assert answer.redirect_chain[-1][0].endswith("?skipped=true")
    assert "1 document returned to the queue." in answer.content.decode()
    assert Assignment.objects.get(document=document, annotator=annotator).status == "expired"
    assert AuditEvent.objects.filter(action=AuditAction.REQUEUE).count() == 1


def test_requeue_every_skipped_document_from_the_page(world, second):
    first = draft_then_skip(world, world.users["annotator"])
    other = draft_then_skip(world, world.users["annotator"], reason="")
    assert {first.pk, other.pk} == {world.document.pk, second.pk}
    manager = page_client_for(world.users["manager"])
    answer = manager.post(api_url(world, "projects:documents-requeue"),
                          {"every": "true", "skipped": "true"}, follow=True)
    assert "2 documents returned to the queue." in answer.content.decode()
    assert not Assignment.objects.filter(status=AssignmentStatus.SKIPPED).exists()
