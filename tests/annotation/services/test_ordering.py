"""The project setting `order` (services.ordering, rows.candidate): each order hands the
documents out as it says, through assignment_next, and keeps its guarantees."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from annotation.models import Assignment, AssignmentStatus, Document
from annotation.selectors import documents_open_to
from annotation.services.assignments import assignment_next
from annotation.services.ordering import document_ranks_refresh, random_rank
from projects import services
from projects.models import Order, Project
from projects.services.dispatch import RANKS_TASK, task_named
from tests.annotation.services.imports.test_jobs import run_import
from tests.conftest import api_client_for, page_client_for
from tests.factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db


def documents(project: Project, n: int, **fields) -> list[Document]:
    return [DocumentFactory(project=project, **fields) for _ in range(n)]


def handed(project: Project, n: int | None = None) -> list[int]:
    """The documents one annotator is handed, one after another (each submitted at once,
    k=1), until nothing is left."""
    project.refresh_from_db()
    user = UserFactory()
    services.member_add(project=project, username=user.username, role="annotator")
    out: list[int] = []
    while n is None or len(out) < n:
        lease = assignment_next(project=project, user=user)
        if lease is None:
            break
        out.append(lease.document_id)
        Assignment.objects.filter(pk=lease.pk).update(status=AssignmentStatus.SUBMITTED)
    return out


def set_order(project: Project, django_capture_on_commit_callbacks, **fields) -> None:
    """Change the order through the service; its ranks task runs in-process on commit."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.project_update(project=project, **fields)
    assert len(callbacks) == 1  # the ranks task was queued


@pytest.fixture
def project(world) -> Project:
    world.document.delete()
    services.project_update(project=world.project, overlap=1)
    return world.project


def test_sequential_is_by_id_and_writes_no_rank(project):
    ids = [d.pk for d in documents(project, 5)]
    assert document_ranks_refresh(project_id=project.pk) == 0
    assert handed(project) == ids


def test_random_is_seeded_by_the_project_and_stable(project, django_capture_on_commit_callbacks):
    ids = [d.pk for d in documents(project, 40)]
    set_order(project, django_capture_on_commit_callbacks, order=Order.RANDOM)
    ranks = dict(Document.objects.filter(project=project).values_list("id", "rank"))
    assert ranks == {pk: pytest.approx(random_rank(project.pk, pk)) for pk in ids}
    assert all(0 <= rank < 1 for rank in ranks.values())
    assert document_ranks_refresh(project_id=project.pk) == 0  # idempotent: nothing to write
    expected = sorted(ids, key=lambda pk: (ranks[pk], pk))
    assert expected != ids
    assert [random_rank(project.pk + 1, pk) for pk in ids] != [ranks[pk] for pk in ids]
    assert handed(project) == expected


def test_random_order_reads_the_same_in_documents_open_to(project,
                                                          django_capture_on_commit_callbacks):
    documents(project, 20)
    set_order(project, django_capture_on_commit_callbacks, order=Order.RANDOM)
    project.refresh_from_db()
    expected = list(documents_open_to(project=project, user=UserFactory(), now=timezone.now())
                    .values_list("id", flat=True))
    assert handed(project) == expected


def test_uncertainty_is_least_confident_first_then_the_unscored_by_id(
        project, django_capture_on_commit_callbacks):
    docs = documents(project, 6)
    scores = [0.9, None, 0.1, 0.5, None, 0.1]
    for doc, score in zip(docs, scores, strict=True):
        Document.objects.filter(pk=doc.pk).update(confidence=score)
    set_order(project, django_capture_on_commit_callbacks, order=Order.UNCERTAINTY)
    d = [doc.pk for doc in docs]
    assert handed(project) == [d[2], d[5], d[3], d[0], d[1], d[4]]


def test_uncertainty_without_any_confidence_is_sequential(project,
                                                          django_capture_on_commit_callbacks):
    ids = [d.pk for d in documents(project, 5)]
    set_order(project, django_capture_on_commit_callbacks, order=Order.UNCERTAINTY)
    assert not Document.objects.filter(project=project, rank__isnull=False).exists()
    assert handed(project) == ids


def test_stratified_interleaves_the_strata(project, django_capture_on_commit_callbacks):
    langs = ["en"] * 5 + ["fr"] * 2 + [None] * 2 + ["de"]
    docs = [DocumentFactory(project=project, meta={} if lang is None else {"lang": lang})
            for lang in langs]
    set_order(project, django_capture_on_commit_callbacks, order=Order.STRATIFIED,
              order_field="lang")
    lang_of = {doc.pk: (doc.meta.get("lang") or "-") for doc in docs}
    got = [lang_of[pk] for pk in handed(project)]
    # round robin: strata by value, the one without the key last; each by id inside
    assert got == ["de", "en", "fr", "-", "en", "fr", "-", "en", "en", "en"]
    by_lang: dict[str, list[int]] = {}
    for pk in handed_ids_in(project):
        by_lang.setdefault(lang_of[pk], []).append(pk)
    assert all(ids == sorted(ids) for ids in by_lang.values())


def handed_ids_in(project: Project) -> list[int]:
    return list(Assignment.objects.filter(project=project).order_by("created_at", "id")
                .values_list("document_id", flat=True))


def test_stratified_by_a_field_no_document_has_is_sequential(project,
                                                            django_capture_on_commit_callbacks):
    ids = [d.pk for d in documents(project, 5, meta={"source": "news"})]
    set_order(project, django_capture_on_commit_callbacks, order=Order.STRATIFIED,
              order_field="lang")
    assert handed(project) == ids


def test_an_empty_project_has_nothing_to_rank(project, django_capture_on_commit_callbacks):
    for order in (Order.RANDOM, Order.UNCERTAINTY, Order.STRATIFIED):
        set_order(project, django_capture_on_commit_callbacks, order=order, order_field="x")
        assert document_ranks_refresh(project_id=project.pk) == 0
        assert handed(project) == []
    assert document_ranks_refresh(project_id=0) == 0  # no such project


def test_switching_back_to_sequential_clears_the_ranks(project,
                                                       django_capture_on_commit_callbacks):
    ids = [d.pk for d in documents(project, 12)]
    set_order(project, django_capture_on_commit_callbacks, order=Order.RANDOM)
    handed(project, 4)  # some handed out in random order first
    set_order(project, django_capture_on_commit_callbacks, order=Order.SEQUENTIAL)
    assert not Document.objects.filter(project=project, rank__isnull=False).exists()
    taken = set(handed_ids_in(project))
    assert handed(project) == [pk for pk in ids if pk not in taken]


def test_an_unranked_document_comes_after_the_ranked(project,
                                                     django_capture_on_commit_callbacks):
    documents(project, 5)
    set_order(project, django_capture_on_commit_callbacks, order=Order.RANDOM)
    late = DocumentFactory(project=project)  # made by a way that ranks nothing
    assert handed(project)[-1] == late.pk


def test_the_order_keeps_k(project, django_capture_on_commit_callbacks):
    services.project_update(project=project, overlap=2)
    documents(project, 4)
    set_order(project, django_capture_on_commit_callbacks, order=Order.RANDOM)
    for _ in range(3):
        handed(project)
    taken = Assignment.objects.filter(project=project).values_list("document_id", flat=True)
    assert sorted({taken.filter(document_id=pk).count() for pk in set(taken)}) == [2]


def test_no_task_when_the_order_stays(project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.project_update(project=project, overlap=3, order=Order.SEQUENTIAL)
    assert callbacks == []


def test_the_ranks_task_is_registered(project):
    documents(project, 3)
    Project.objects.filter(pk=project.pk).update(order=Order.RANDOM)
    task = task_named(RANKS_TASK)
    assert task.name == RANKS_TASK
    assert task.delay(project.pk).get() == 3


def test_an_import_ranks_its_documents(world, project, django_capture_on_commit_callbacks):
    set_order(project, django_capture_on_commit_callbacks, order=Order.RANDOM)
    data = "\n".join(json.dumps({"text": f"Doc {i}."}) for i in range(6)).encode()
    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(world, data)
    job.refresh_from_db()
    assert job.status == "succeeded", (job.message, job.errors)
    ranks = dict(Document.objects.filter(project=project).values_list("id", "rank"))
    assert len(ranks) == 6
    assert ranks == {pk: pytest.approx(random_rank(project.pk, pk)) for pk in ranks}


# The settings: the API and the page.


def test_the_api_reads_and_writes_the_order(world, django_capture_on_commit_callbacks):
    client = api_client_for(world.users["manager"])
    url = reverse("api:project", kwargs={"project_id": world.project.pk})
    assert client.get(url).json()["order"] == "sequential"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.patch(url, {"order": "stratified", "order_field": "lang"},
                                format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["order"], response.json()["order_field"]) == ("stratified", "lang")
    assert len(callbacks) == 1


@pytest.mark.parametrize("body", [{"order": "stratified"},
                                  {"order": "stratified", "order_field": "  "}])
def test_stratified_needs_a_field_in_the_api(world, body):
    client = api_client_for(world.users["manager"])
    url = reverse("api:project", kwargs={"project_id": world.project.pk})
    response = client.patch(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "order_field"
    world.project.refresh_from_db()
    assert world.project.order == Order.SEQUENTIAL


def test_an_unknown_order_is_refused(world):
    client = api_client_for(world.users["manager"])
    url = reverse("api:project", kwargs={"project_id": world.project.pk})
    response = client.patch(url, {"order": "alphabetical"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "order"


def _settings_post(world, **fields):
    p = world.project
    data = {"name": p.name, "tasks": p.tasks, "overlap": p.overlap,
            "sentiment_scale": p.sentiment_scale, "pii_policy": p.pii_policy,
            "lease_minutes": p.lease_minutes, "gold_check_rate": p.gold_check_rate, **fields}
    client = page_client_for(world.users["manager"])
    return client.post(reverse("projects:settings", kwargs={"project_id": p.pk}), data)


def test_the_settings_page_sets_the_order(world, django_capture_on_commit_callbacks):
    page = page_client_for(world.users["manager"]).get(
        reverse("projects:settings", kwargs={"project_id": world.project.pk}))
    assert b'name="order"' in page.content
    assert b'name="order_field"' in page.content
    with django_capture_on_commit_callbacks():
        response = _settings_post(world, order="stratified", order_field="lang")
    assert response.status_code == 302
    world.project.refresh_from_db()
    assert (world.project.order, world.project.order_field) == ("stratified", "lang")


def test_the_settings_page_names_the_missing_field(world):
    response = _settings_post(world, order="stratified", order_field="")
    assert response.status_code in (200, 400)
    assert "order_field" in response.context["form"].errors
    world.project.refresh_from_db()
    assert world.project.order == Order.SEQUENTIAL


def test_a_settings_post_without_the_order_keeps_it(world):
    Project.objects.filter(pk=world.project.pk).update(order=Order.RANDOM)
    world.project.refresh_from_db()
    assert _settings_post(world).status_code == 302
    world.project.refresh_from_db()
    assert world.project.order == Order.RANDOM
