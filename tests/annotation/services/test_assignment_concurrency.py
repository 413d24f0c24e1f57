"""Next-document under real concurrency, on PostgreSQL: 16 threads for 8 annotators, k=2, in
every order `next` can hand documents out in (projects.models.Order)."""

import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from annotation.models import Annotation, Assignment, AssignmentStatus, Document
from projects import services
from projects.models import Order
from tests.conftest import api_client_for
from tests.factories import DocumentFactory, UserFactory

pytestmark = [
    pytest.mark.slow,  # real concurrent transactions
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                       reason="row locks need PostgreSQL (DATABASE_URL)"),
]
DOCUMENTS, ANNOTATORS, THREADS_EACH = 200, 8, 2


def work(client, project_id, log, errors):
    """Take documents and submit them until the API answers 204."""
    try:
        while True:
            response = client.get(reverse("api:next", kwargs={"project_id": project_id}))
            if response.status_code == 204:
                return
            assert response.status_code == 200, response.content
            data = response.json()
            doc = data["document"]["id"]
            log.append(doc)
            put = client.put(
                reverse("api:annotation", kwargs={"project_id": project_id, "document_id": doc}),
                {"entities": [], "relations": [], "sentiment": "positive",
                 "status": "submitted", "version": data["annotation"]["version"]},
                format="json")
            # The annotator's other thread may have submitted the same lease first.
            assert put.status_code in (200, 409), put.content
    except Exception as exc:
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.parametrize("order", Order.values)
def test_no_document_goes_to_more_than_k_annotators(world, order):
    project = world.project
    world.document.delete()
    for i in range(DOCUMENTS):
        DocumentFactory(project=project, meta={"lang": ["en", "fr", "de"][i % 7 % 3]})
    ids = list(Document.objects.filter(project=project).values_list("id", flat=True))
    Document.objects.filter(id__in=ids[::3]).update(confidence=0.3)  # some ranked, some not
    services.project_update(project=project, overlap=2, order=order, order_field="lang")
    assert order == Order.SEQUENTIAL or Document.objects.filter(
        project=project, rank__isnull=False).exists()
    people = [UserFactory(username=f"racer{i}") for i in range(ANNOTATORS)]
    for person in people:
        services.member_add(project=project, username=person.username, role="annotator")
    errors: list[Exception] = []
    logs: dict[str, list[int]] = {p.username: [] for p in people}
    threads = [threading.Thread(target=work, args=(api_client_for(p), project.pk,
                                                   logs[p.username], errors))
               for p in people for _ in range(THREADS_EACH)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors[:3]
    assert not any(t.is_alive() for t in threads)

    holders = Counter(Assignment.objects.filter(project=project).exclude(
        status=AssignmentStatus.EXPIRED).values_list("document_id", flat=True))
    assert max(holders.values()) <= 2
    assert len(holders) == DOCUMENTS  # every document was handed out...
    submitted = Counter(Annotation.objects.filter(project=project, status="submitted")
                        .values_list("document_id", flat=True))
    assert set(submitted.values()) == {2}  # ...and finished by exactly k annotators
    pairs = Annotation.objects.filter(project=project).values_list("document_id", "annotator_id")
    assert len(pairs) == len(set(pairs))
    for name, seen in logs.items():  # an annotator's two threads share one lease at a time
        assert Counter(seen).most_common(1)[0][1] <= THREADS_EACH, name
