"""The progress dashboard: figures, who sees which of them, freshness, bounded queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from annotation.models import AgreementReport, Annotation, DocumentStatus, ProgressSnapshot
from annotation.services.annotations import annotation_write
from annotation.services.assignments import assignment_skip
from annotation.services.gold import gold_save
from annotation.services.gold_checks import gold_checks_mark
from annotation.services.progress import progress_current, progress_refresh
from projects import services
from tests.conftest import api_client_for, page_client_for
from tests.factories import AssignmentFactory, DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db
EMPTY = {"entities": [], "relations": [], "sentiment": "positive"}
GOLD = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"}], "relations": [],
        "sentiment": "positive"}
TEXT = "Alice joined 阿里巴巴 in 2019 🎉"


def submit(world, user, doc, seconds, content=EMPTY):
    AssignmentFactory(document=doc, annotator=user)
    annotation_write(project=world.project, document_id=doc.pk, user=user, content=content,
                     version=0, status="submitted", seconds_spent=seconds)


@pytest.fixture
def team(world):
    """ann-a: 3 submissions (10, 20, 60 s) and a skip; ann-b: 2 (5, 7 s), one of them a gold
    check answered half right; k = 2."""
    a, b = UserFactory(username="ann-a"), UserFactory(username="ann-b")
    for person in (a, b):
        services.member_add(project=world.project, username=person.username, role="annotator")
    docs = [world.document] + [DocumentFactory(project=world.project) for _ in range(3)]
    check = DocumentFactory(project=world.project, text=TEXT)
    gold_save(document=check, content=GOLD, by=world.users["reviewer"], version=0)
    gold_checks_mark(project=world.project, document_ids=[check.pk])
    for doc, seconds in zip(docs[:3], (10, 20, 60), strict=True):
        submit(world, a, doc, seconds)
    AssignmentFactory(document=docs[3], annotator=a)
    assignment_skip(project=world.project, user=a, document=docs[3])
    submit(world, b, docs[0], 5)
    submit(world, b, check, 7, {"entities": [{"id": "T1", "start": 0, "end": 5,
                                              "label": "ORG"}], "relations": [],
                                "sentiment": "positive"})
    AgreementReport.objects.create(project=world.project, computed_at=timezone.now(), report={
        "entities": {"f1_exact": {"pairs": [{"a": "ann-a", "b": "ann-b", "value": 0.5}]}},
        "relations": {"f1": {"pairs": [{"a": "ann-a", "b": "ann-b", "value": None}]}},
        "sentiment": {"cohen_kappa": {"pairs": [{"a": "ann-a", "b": "ann-b", "value": 0.25}]}}})
    return a, b, docs, check


def _api(world, role):
    client = api_client_for(world.users[role])
    response = client.get(reverse("api:progress", kwargs={"project_id": world.project.pk}))
    assert response.status_code == 200
    return response.json()


def test_the_figures(world, team):
    data = _api(world, "manager")
    # world.document: 2 submissions (k = 2) -> annotated; the check stays reviewed.
    assert data["documents"] == {"new": 3, "annotated": 1, "reviewed": 1, "total": 5}
    assert data["gold_checks"] == 1
    rows = {r["annotator"]: r for r in data["annotators"]}
    assert set(rows) == {"ann-a", "ann-b", "annotator-user"}  # members with no work too
    assert (rows["ann-a"]["submitted"], rows["ann-a"]["skipped"]) == (3, 1)
    assert rows["ann-a"]["median_seconds"] == 20.0
    assert (rows["ann-b"]["submitted"], rows["ann-b"]["median_seconds"]) == (2, 6.0)
    assert rows["annotator-user"]["submitted"] == 0
    assert rows["annotator-user"]["median_seconds"] is None
    assert rows["ann-a"]["agreement"] == {"entities": 0.5, "relations": None,
                                          "sentiment": 0.25}
    # ann-b's check: PER 'Alice' answered as ORG -> entity F1 0; no relations in either
    # -> 1.0; sentiment right.
    assert rows["ann-b"]["gold_checks"] == {"checks": 1, "entity_f1": 0.0, "relation_f1": 1.0,
                                            "sentiment": 1.0}
    assert rows["ann-a"]["gold_checks"]["checks"] == 0
    today = timezone.localdate().isoformat()
    assert data["per_day"][-1] == {"day": today, "submitted": 5}
    assert len(data["per_day"]) == 30
    assert sum(d["submitted"] for d in data["per_day"]) == 5


def test_who_sees_what(world, team):
    manager, reviewer, consumer = (_api(world, r) for r in ("manager", "reviewer", "consumer"))
    assert "gold_checks" in manager["annotators"][0]
    assert reviewer["annotators"]
    assert all("gold_checks" not in r
                                          for r in reviewer["annotators"])
    assert "annotators" not in consumer
    assert "agreement_computed_at" not in consumer
    assert consumer["documents"] == manager["documents"]
    pages = {role: page_client_for(world.users[role]).get(
        reverse("projects:progress", kwargs={"project_id": world.project.pk})
    ).content.decode() for role in ("manager", "reviewer", "consumer")}
    assert 'id="annotator-table"' in pages["manager"]
    assert "Check entity F1" in pages["manager"]
    assert 'id="annotator-table"' in pages["reviewer"]
    assert "Check entity F1" not in pages["reviewer"]
    assert 'id="annotator-table"' not in pages["consumer"]
    assert "ann-a" not in pages["consumer"]
    for html in pages.values():
        assert 'id="per-day-chart"' in html
        assert 'role="img"' in html
        assert 'id="count-reviewed">1<' in html


def test_stale_figures_are_shown_and_refreshed_in_the_background(world, team, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.CONCORD_PROGRESS_MAX_AGE = 60
    snapshot = progress_refresh(project_id=world.project.pk)
    DocumentFactory(project=world.project)
    fresh, updating = progress_current(project=world.project)
    assert not updating
    assert fresh.data["documents"]["total"] == 5
    ProgressSnapshot.objects.filter(pk=snapshot.pk).update(
        computed_at=timezone.now() - timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        old, updating = progress_current(project=world.project)
        assert updating
        assert old.data["documents"]["total"] == 5
    assert len(callbacks) == 1
    assert ProgressSnapshot.objects.get(project=world.project).data["documents"]["total"] == 6
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # queued once a window
        ProgressSnapshot.objects.filter(pk=snapshot.pk).update(
            computed_at=timezone.now() - timedelta(seconds=61))
        progress_current(project=world.project)
    assert callbacks == []


def test_the_dashboard_reads_a_bounded_number_of_queries(world, team,
                                                         django_assert_max_num_queries):
    """Reading the dashboard never walks the annotations: the same few queries with 5 or
    50 more submissions."""
    page = page_client_for(world.users["manager"])
    url = reverse("projects:progress", kwargs={"project_id": world.project.pk})
    page.get(url)  # the first view counts
    with django_assert_max_num_queries(12):
        assert page.get(url).status_code == 200
    extra = UserFactory(username="ann-c")
    services.member_add(project=world.project, username="ann-c", role="annotator")
    for _ in range(50):
        submit(world, extra, DocumentFactory(project=world.project), 3)
    progress_refresh(project_id=world.project.pk)
    with django_assert_max_num_queries(12):
        assert page.get(url).status_code == 200
    assert Annotation.objects.filter(annotator=extra).count() == 50


def test_an_empty_project(world):
    data = _api(world, "manager")
    assert data["documents"] == {"new": 1, "annotated": 0, "reviewed": 0, "total": 1}
    assert all(d["submitted"] == 0 for d in data["per_day"])
    assert data["agreement_computed_at"] is None
    assert [r["annotator"] for r in data["annotators"]] == ["annotator-user"]
    assert DocumentStatus.NEW in data["documents"]


def test_marking_checks_and_bulk_actions_drop_the_stored_figures(world):
    from annotation.services.document_actions import Selection, documents_bulk

    gold_save(document=world.document, by=world.users["reviewer"], version=0, content={
        "entities": [], "relations": [], "sentiment": "positive"})
    progress_refresh(project_id=world.project.pk)
    gold_checks_mark(project=world.project, document_ids=[world.document.pk])
    assert not ProgressSnapshot.objects.filter(project=world.project).exists()
    snapshot, _stale = progress_current(project=world.project)  # counted again, at once
    assert snapshot.data["gold_checks"] == 1
    documents_bulk(project=world.project, by=world.users["manager"], action="ungold_check",
                   selection=Selection(ids=[world.document.pk]))
    assert progress_current(project=world.project)[0].data["gold_checks"] == 0
