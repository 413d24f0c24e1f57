"""Auto-accept under a real race, on PostgreSQL: two annotators submit a document's last two
of k=2 annotations at the same moment, each request on its own connection (one thread
each, released together by a Barrier), 20 times over with fresh documents.

What holds it: `document_submitted()` locks the document's row before recounting, so the
second submission waits for the first to commit and then sees both. Without that lock each
transaction counts only its own submission (READ COMMITTED) and the document stays `new`
with no gold; the assertions below then fail."""


import pytest
from django.conf import settings
from django.urls import reverse

from annotation.models import Annotation, AnnotationKind, Document, DocumentStatus, GoldRevision
from projects import services
from projects.models import AuditAction, AuditEvent
from tests.concurrency import run_together
from tests.conftest import api_client_for
from tests.factories import AssignmentFactory, DocumentFactory, UserFactory

pytestmark = [
    pytest.mark.slow,  # real concurrent transactions
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                       reason="row locks need PostgreSQL (DATABASE_URL)"),
]
ROUNDS = 20
WAIT = 60  # seconds, only a bound so that a deadlock cannot hang the suite


def _content(text: str, sentiment: str) -> dict:
    start = text.index("Alice")
    return {"entities": [{"id": "T1", "start": start, "end": start + 5, "label": "PER"}],
            "relations": [], "sentiment": sentiment, "status": "submitted", "version": 0}


def _submit_together(project_id: int, document: Document,
                     bodies: list[tuple[object, dict]]) -> tuple[list[int], list[Exception]]:
    """PUT each (client, body) in its own thread, all released at the same instant."""
    url = reverse("api:annotation", kwargs={"project_id": project_id,
                                            "document_id": document.pk})
    codes: list[int] = []

    def put(client, data):
        response = client.put(url, data, format="json")
        codes.append(response.status_code)
        if response.status_code != 200:
            raise AssertionError(f"{response.status_code}: {response.content!r}")

    errors = run_together(put, bodies, wait=WAIT, join=WAIT * 2)
    return codes, errors


@pytest.fixture
def racers(world):
    """The world's project with k=2 and auto-accept, and two annotators with API clients."""
    project = world.project
    services.project_update(project=project, overlap=2, auto_accept_gold=True)
    world.document.delete()
    second = UserFactory(username="annotator-two")
    services.member_add(project=project, username=second.username, role="annotator")
    return project, [world.users["annotator"], second]


def _leased_document(project, people) -> Document:
    document = DocumentFactory(project=project)
    for person in people:
        AssignmentFactory(document=document, annotator=person)
    return document


def test_two_identical_last_submissions_at_once_make_exactly_one_gold(racers):
    project, people = racers
    clients = [api_client_for(p) for p in people]
    for round_ in range(ROUNDS):
        document = _leased_document(project, people)
        codes, errors = _submit_together(project.pk, document, [
            (client, _content(document.text, "positive")) for client in clients])
        assert errors == [], f"round {round_}: {errors}"
        assert codes == [200, 200], f"round {round_}"
        document.refresh_from_db()
        assert document.status == DocumentStatus.REVIEWED, f"round {round_}"
        golds = Annotation.objects.filter(document=document, kind=AnnotationKind.GOLD)
        assert golds.count() == 1, f"round {round_}"
        gold = golds.get()
        assert (gold.version, gold.annotator_id) == (1, None)
        revisions = list(GoldRevision.objects.filter(document=document)
                         .values_list("version", "source", "by_id"))
        assert revisions == [(1, "auto", None)], f"round {round_}"
        audits = AuditEvent.objects.filter(project=project, action=AuditAction.GOLD_CHANGE,
                                           data__document=document.pk)
        assert list(audits.values_list("data__source", flat=True)) == ["auto"], f"round {round_}"
        assert Annotation.objects.filter(document=document, kind=AnnotationKind.ANNOTATION,
                                         status="submitted").count() == 2


def test_two_different_last_submissions_at_once_leave_the_document_for_review(racers):
    project, people = racers
    clients = [api_client_for(p) for p in people]
    for round_ in range(ROUNDS):
        document = _leased_document(project, people)
        codes, errors = _submit_together(project.pk, document, [
            (clients[0], _content(document.text, "positive")),
            (clients[1], _content(document.text, "negative"))])
        assert errors == [], f"round {round_}: {errors}"
        assert codes == [200, 200], f"round {round_}"
        document.refresh_from_db()
        assert document.status == DocumentStatus.ANNOTATED, f"round {round_}"  # in review
        assert not Annotation.objects.filter(document=document,
                                             kind=AnnotationKind.GOLD).exists()
        assert not GoldRevision.objects.filter(document=document).exists()
        assert not AuditEvent.objects.filter(project=project, action=AuditAction.GOLD_CHANGE,
                                             data__document=document.pk).exists()
