"""Gold checks: marking, mixing into the queue at the rate, k untouched, scoring on submit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from annotation.models import Assignment, Document, DocumentStatus, GoldCheckScore
from annotation.pure.gold_checks import check_turn
from annotation.services.annotations import annotation_write
from annotation.services.assignments import assignment_next, assignment_skip
from annotation.services.gold import gold_save
from annotation.services.gold_checks import gold_checks_mark, gold_checks_unmark, mix_seed
from projects import services
from projects.errors import ServiceError
from tests.conftest import api_client_for
from tests.factories import AssignmentFactory, DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db
TEXT = "Alice joined 阿里巴巴 in 2019 🎉"
GOLD = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                     {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
        "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
        "sentiment": "positive"}


def make_checks(world, n: int) -> list[Document]:
    docs = [DocumentFactory(project=world.project, text=TEXT) for _ in range(n)]
    for doc in docs:
        gold_save(document=doc, content=GOLD, by=world.users["reviewer"], version=0)
    gold_checks_mark(project=world.project, document_ids=[d.pk for d in docs])
    return docs


def set_rate(world, rate: float) -> None:
    world.project.gold_check_rate = rate
    world.project.save(update_fields=["gold_check_rate"])


def annotators(world, n: int) -> list:
    people = [UserFactory(username=f"gc-ann{i}") for i in range(n)]
    for person in people:
        services.member_add(project=world.project, username=person.username, role="annotator")
    return people


def submit(world, user, document, content, version=0):
    return annotation_write(project=world.project, document_id=document.pk, user=user,
                            content=content, version=version, status="submitted",
                            seconds_spent=3)


# Marking


def test_only_documents_with_gold_can_be_marked_all_or_none(world):
    gold = DocumentFactory(project=world.project, text=TEXT)
    gold_save(document=gold, content=GOLD, by=world.users["reviewer"], version=0)
    with pytest.raises(ServiceError) as exc:
        gold_checks_mark(project=world.project, document_ids=[gold.pk, world.document.pk])
    assert str(world.document.pk) in exc.value.errors[0]["message"]
    assert not Document.objects.filter(is_gold_check=True).exists()
    assert gold_checks_mark(project=world.project, document_ids=[gold.pk]) == 1
    assert gold_checks_mark(project=world.project, document_ids=[gold.pk]) == 0
    gold.refresh_from_db()
    assert gold.is_gold_check
    assert gold.status == DocumentStatus.REVIEWED
    assert gold_checks_unmark(project=world.project, document_ids=[gold.pk]) == 1
    gold.refresh_from_db()
    assert not gold.is_gold_check


def test_another_projects_document_is_refused(world):
    other = DocumentFactory(text=TEXT)
    with pytest.raises(ServiceError):
        gold_checks_mark(project=world.project, document_ids=[other.pk])
    with pytest.raises(ServiceError):
        gold_checks_unmark(project=world.project, document_ids=[])


def test_the_api_marks_lists_and_unmarks(world):
    [check] = make_checks(world, 1)
    gold_checks_unmark(project=world.project, document_ids=[check.pk])
    manager = api_client_for(world.users["manager"])
    url = reverse("api:gold-checks", kwargs={"project_id": world.project.pk})
    bad = manager.post(url, {"documents": [world.document.pk]}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"detail", "errors"}
    assert manager.post(url, {"documents": [check.pk]}, format="json").json() == {"marked": 1}
    assert [d["id"] for d in manager.get(url).json()["results"]] == [check.pk]
    one = reverse("api:gold-check", kwargs={"project_id": world.project.pk,
                                            "document_id": check.pk})
    assert manager.delete(one).status_code == 204
    assert manager.get(url).json()["results"] == []
    missing = reverse("api:gold-check", kwargs={"project_id": world.project.pk,
                                                "document_id": check.pk + 999})
    assert manager.delete(missing).status_code == 404


def test_the_page_marks_and_unmarks(world):
    from tests.conftest import page_client_for

    gold = DocumentFactory(project=world.project, text=TEXT)
    gold_save(document=gold, content=GOLD, by=world.users["reviewer"], version=0)
    page = page_client_for(world.users["manager"])
    url = reverse("projects:gold-checks", kwargs={"project_id": world.project.pk})
    assert f'id="candidate-{gold.pk}"' in page.get(url).content.decode()
    page.post(url, {"action": "mark", "documents": [gold.pk]})
    gold.refresh_from_db()
    assert gold.is_gold_check
    html = page.get(url).content.decode()
    assert f'id="check-{gold.pk}"' in html
    assert f'id="candidate-{gold.pk}"' not in html
    response = page.post(url, {"action": "mark", "documents": [world.document.pk]}, follow=True)
    assert "Only a document with gold" in response.content.decode()
    page.post(url, {"action": "unmark", "documents": [gold.pk]})
    gold.refresh_from_db()
    assert not gold.is_gold_check


# Mixing


def _run_queue(world, user) -> list[bool]:
    """Take documents until none is left, skipping each; True where a check came."""
    got = []
    while (lease := assignment_next(project=world.project, user=user)) is not None:
        got.append(lease.document.is_gold_check)
        assignment_skip(project=world.project, user=user, document=lease.document)
    return got


def test_checks_come_at_the_seeded_turns(world):
    """The sequence is the pure check turns of the annotator's seed, while checks and
    ordinary work are left; checks never come alone."""
    set_rate(world, 0.3)
    make_checks(world, 8)
    for _ in range(29):
        DocumentFactory(project=world.project)
    [user] = annotators(world, 1)
    got = _run_queue(world, user)
    seed = mix_seed(project_id=world.project.pk, user_id=user.pk)
    expected, checks, regular, n = [], 8, 30, 0
    while regular:
        turn = checks > 0 and check_turn(seed=seed, n=n, rate=0.3)
        expected.append(turn)
        checks, regular = (checks - 1, regular) if turn else (checks, regular - 1)
        n += 1
    assert got == expected
    assert 0 < sum(got) <= 8
    assert len(got) - sum(got) == 30


def test_the_share_of_checks_follows_the_rate(world):
    """A fixed seed (the test settings' secret key): about rate of the documents handed out
    are checks; with 100 ordinary documents and rate 0.2, 25 expected, sd about 4.5."""
    set_rate(world, 0.2)
    make_checks(world, 60)
    for _ in range(99):
        DocumentFactory(project=world.project)
    [user] = annotators(world, 1)
    got = _run_queue(world, user)
    assert len(got) - sum(got) == 100
    assert 12 <= sum(got) <= 40, sum(got)


def test_rate_zero_hands_out_no_check(world):
    make_checks(world, 3)
    [user] = annotators(world, 1)
    assert _run_queue(world, user) == [False]


def test_checks_take_no_slot_and_each_goes_once_to_each_annotator(world):
    """Rate 1: every turn is a check turn while one is left. k = 2, three annotators and a
    check: all three get the check (k does not limit checks), once each; the check stays
    reviewed; the ordinary documents still get at most k holders."""
    set_rate(world, 1.0)
    [check] = make_checks(world, 1)
    regular = [world.document, DocumentFactory(project=world.project)]
    people = annotators(world, 3)
    for person in people:
        lease = assignment_next(project=world.project, user=person)
        assert lease.document_id == check.pk
        submit(world, person, check, GOLD)
    check.refresh_from_db()
    assert check.status == DocumentStatus.REVIEWED
    assert Assignment.objects.filter(document=check, status="submitted").count() == 3
    handed = []
    for person in people:
        lease = assignment_next(project=world.project, user=person)
        handed.append(lease.document_id if lease else None)
        if lease:
            submit(world, person, lease.document,
                   {"entities": [], "relations": [], "sentiment": "negative"})
    assert handed == [regular[0].pk, regular[0].pk, regular[1].pk]
    regular[0].refresh_from_db()
    assert regular[0].status == DocumentStatus.ANNOTATED  # k = 2 ordinary submissions
    assert Assignment.objects.filter(document=regular[0]).count() == 2


def test_a_lapsed_lease_on_a_check_can_still_be_submitted(world):
    """Checks have no k: even after more than k others submitted it, a late answer counts."""
    [check] = make_checks(world, 1)
    people = annotators(world, 3)
    for person in people[:2]:
        AssignmentFactory(document=check, annotator=person)
        submit(world, person, check, GOLD)
    AssignmentFactory(document=check, annotator=people[2],
                      expires_at=timezone.now() - timedelta(minutes=1))
    submit(world, people[2], check, GOLD)
    assert GoldCheckScore.objects.filter(document=check).count() == 3


# Scoring


def test_a_submitted_check_is_scored_against_gold_by_hand(world):
    [check] = make_checks(world, 1)
    [user] = annotators(world, 1)
    AssignmentFactory(document=check, annotator=user)
    # "Alice" right; "阿里巴巴" as PER (wrong label); an extra "2019" as ORG; the relation's
    # tail is the wrong-label span, so it does not match; sentiment wrong.
    answer = {"entities": [{"id": "A", "start": 0, "end": 5, "label": "PER"},
                           {"id": "B", "start": 13, "end": 17, "label": "PER"},
                           {"id": "C", "start": 21, "end": 25, "label": "ORG"}],
              "relations": [], "sentiment": "negative"}
    annotation_write(project=world.project, document_id=check.pk, user=user, content=answer,
                     version=0, status="draft", seconds_spent=1)
    assert not GoldCheckScore.objects.exists()  # a draft is not scored
    submit(world, user, check, answer, version=1)
    row = GoldCheckScore.objects.get(document=check, annotator=user)
    assert (row.gold_entities, row.entities, row.matched_entities) == (2, 3, 1)
    assert row.entity_f1 == pytest.approx(2 * 1 / (2 + 3))
    assert (row.gold_relations, row.relations, row.matched_relations) == (1, 0, 0)
    assert row.relation_f1 == 0.0
    assert row.sentiment_correct is False
    assert row.gold_version == 1
    # A re-submission rescores.
    submit(world, user, check, GOLD, version=2)
    row.refresh_from_db()
    assert (row.entity_f1, row.relation_f1, row.sentiment_correct) == (1.0, 1.0, True)
    assert GoldCheckScore.objects.count() == 1


def test_an_ordinary_document_is_not_scored(world):
    [user] = annotators(world, 1)
    AssignmentFactory(document=world.document, annotator=user)
    submit(world, user, world.document, GOLD)
    assert not GoldCheckScore.objects.exists()
