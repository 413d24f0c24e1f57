"""Concurrent requests on PostgreSQL: 32 next-document requests at once never over-assign,
and concurrent saves lose no update (a stale version is a 409, never a silent overwrite)."""

from collections import Counter

import pytest
from django.conf import settings
from django.urls import reverse

from annotation.models import Annotation, Assignment, AssignmentStatus
from annotation.selectors.labeling import annotation_of
from annotation.services.assignments import assignment_next
from projects import services
from tests.annotation.services.test_assignment_concurrency import work
from tests.concurrency import run_together
from tests.conftest import api_client_for
from tests.factories import DocumentFactory, UserFactory

pytestmark = [
    pytest.mark.slow,  # real concurrent transactions
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                       reason="concurrent writers need PostgreSQL (DATABASE_URL)"),
]
TEXT = "x" * 400
DOCUMENTS = 60


def _members(project, count: int, prefix: str) -> list:
    people = [UserFactory(username=f"{prefix}{i}") for i in range(count)]
    for person in people:
        services.member_add(project=project, username=person.username, role="annotator")
    return people


def _url(project_id: int, document_id: int) -> str:
    return reverse("api:annotation", kwargs={"project_id": project_id,
                                             "document_id": document_id})


def _content(start: int, end: int) -> dict:
    return {"entities": [{"id": "T1", "start": start, "end": end, "label": "PER"}],
            "relations": [], "sentiment": "positive"}


def _spans(data: dict) -> list[tuple[int, int, str]]:
    return [(e["start"], e["end"], e["label"]) for e in data["entities"]]


def test_a_burst_of_32_next_requests_for_too_few_places(world):
    """16 annotators x 2 threads ask at once, k=2, for 5 documents: 10 places for 16."""
    project = world.project
    services.project_update(project=project, overlap=2)
    world.document.delete()
    for _ in range(5):
        DocumentFactory(project=project)
    people = _members(project, 16, "burst")
    answers: list[tuple[str, int, int]] = []

    def ask(person, client):
        response = client.get(reverse("api:next", kwargs={"project_id": project.pk}))
        assert response.status_code in (200, 204), response.content
        answers.append((person.username, response.status_code,
                        response.json()["document"]["id"] if response.status_code == 200
                        else 0))

    errors = run_together(ask, [(p, api_client_for(p)) for p in people for _ in range(2)])
    assert not errors, errors[:3]
    assert len(answers) == 32
    held = Assignment.objects.filter(project=project).exclude(status=AssignmentStatus.EXPIRED)
    holders = Counter(held.values_list("document_id", flat=True))
    assert max(holders.values()) <= 2, holders
    assert held.count() == 10  # every place taken: the locks serialize, they don't starve
    pairs = list(held.values_list("document_id", "annotator_id"))
    assert len(pairs) == len(set(pairs))
    # An annotator's two simultaneous requests never take two leases: both name the same one.
    for person in people:
        mine = {doc for who, status, doc in answers if who == person.username and status == 200}
        assert len(mine) <= 1, (person.username, mine)
    # Nobody is told "nothing left" while places remain: a request that finds every open
    # document locked waits for one (it used to answer 204 about one run in five).
    assert sum(status == 200 for _, status, _ in answers) == 20


def test_32_threads_taking_and_submitting_never_over_assign(world):
    """16 annotators x 2 threads take and submit documents until none is left, k=2."""
    project = world.project
    services.project_update(project=project, overlap=2)
    world.document.delete()
    for _ in range(DOCUMENTS):
        DocumentFactory(project=project)
    people = _members(project, 16, "racer")
    logs: dict[str, list[int]] = {p.username: [] for p in people}
    errors = run_together(work, [(api_client_for(p), project.pk, logs[p.username], [])
                         for p in people for _ in range(2)])
    assert not errors, errors[:3]
    held = Assignment.objects.filter(project=project).exclude(status=AssignmentStatus.EXPIRED)
    holders = Counter(held.values_list("document_id", flat=True))
    assert max(holders.values()) <= 2, holders.most_common(3)
    submitted = Counter(Annotation.objects.filter(project=project, status="submitted")
                        .values_list("document_id", flat=True))
    assert len(submitted) == DOCUMENTS
    assert set(submitted.values()) == {2}
    pairs = list(Annotation.objects.filter(project=project)
                 .values_list("document_id", "annotator_id"))
    assert len(pairs) == len(set(pairs))


def test_one_annotator_in_8_tabs_loses_no_update(world):
    """8 threads GET then PUT the same annotation with the version they read, 6 times each."""
    annotator = world.users["annotator"]
    world.document.text = TEXT
    world.document.save()
    leased = assignment_next(project=world.project, user=annotator)
    assert leased is not None
    assert leased.document_id == world.document.pk
    url = _url(world.project.pk, world.document.pk)
    won: list[tuple[int, tuple[int, int]]] = []  # (version answered, span sent)
    lost: list[int] = []

    def tab(number, client):
        for round_ in range(6):
            read = client.get(url)
            assert read.status_code == 200, read.content
            span = (number, number + 1 + round_)
            put = client.put(url, {**_content(*span), "status": "draft",
                                   "version": read.json()["version"]}, format="json")
            assert put.status_code in (200, 409), put.content
            if put.status_code == 200:
                assert _spans(put.json()) == [(*span, "PER")]
                won.append((put.json()["version"], span))
            else:
                assert put.json()["errors"][0]["field"] == "version"
                lost.append(put.status_code)

    errors = run_together(tab, [(n, api_client_for(annotator)) for n in range(8)])
    assert not errors, errors[:3]
    assert len(won) + len(lost) == 48
    assert lost  # 8 simultaneous tabs: some read a version another tab then replaced
    versions = [version for version, _ in won]
    assert len(set(versions)) == len(versions)  # no two saves answered with one version
    assert sorted(versions) == list(range(1, len(won) + 1))  # each save bumped it by one
    stored = Annotation.objects.get(document=world.document, annotator=annotator)
    assert stored.version == len(won)
    last_span = max(won)[1]  # the content of the save that got the highest version
    assert _spans(annotation_of(document=world.document, user=annotator)) == [
        (*last_span, "PER")]


def test_16_annotators_saving_their_own_annotations_at_once_all_succeed(world):
    project = world.project
    services.project_update(project=project, overlap=16)
    world.document.text = TEXT
    world.document.save()
    people = _members(project, 16, "saver")
    for person in people:
        assert assignment_next(project=project, user=person).document_id == world.document.pk
    url = _url(project.pk, world.document.pk)
    answers: dict[str, int] = {}

    def save(number, person, client):
        put = client.put(url, {**_content(number, number + 3), "status": "submitted",
                               "version": 0}, format="json")
        answers[person.username] = put.status_code
        assert put.status_code == 200, put.content
        assert _spans(put.json()) == [(number, number + 3, "PER")]

    errors = run_together(save, [(n, p, api_client_for(p)) for n, p in enumerate(people)])
    assert not errors, errors[:3]
    assert set(answers.values()) == {200}
    assert len(answers) == 16
    for number, person in enumerate(people):
        mine = Annotation.objects.get(document=world.document, annotator=person)
        assert (mine.status, mine.version) == ("submitted", 1)  # the first save is v1
        assert _spans(annotation_of(document=world.document, user=person)) == [
            (number, number + 3, "PER")]
    world.document.refresh_from_db()
    assert world.document.status == "annotated"
