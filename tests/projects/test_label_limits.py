"""Labels per project are capped (CONCORD_PROJECT_MAX_LABELS), and an import's create_labels
makes them in bulk (projects/services/labels.py, annotation/services/imports/labels.py)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotation.models import Annotation, Span
from projects import services
from projects.errors import Conflict, ServiceError
from projects.models import Job, Label
from projects.services import jobs
from tests.conftest import api_client_for, page_client_for

WORLD_LABELS = 5  # PER, ORG, works_for, positive, negative (tests/conftest.py)


@pytest.fixture
def run(world, django_capture_on_commit_callbacks):
    """Import `data` as the manager, the job run in-process; the job."""
    def go(data: bytes, **options) -> Job:
        url = reverse("api:imports", kwargs={"project_id": world.project.pk})
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client_for(world.users["manager"]).post(
                url, {"file": SimpleUploadedFile("data.jsonl", data), "create_labels": "true",
                      **options}, format="multipart")
        assert response.status_code == 202, response.content
        return Job.objects.get(pk=response.json()["id"])
    return go


def naming(*names: str, line_text: str = "") -> dict:
    """A record whose one annotation has an entity of each label name."""
    text = line_text or " ".join(f"w{i}" for i in range(len(names))) or "x"
    words, spans, at = text.split(" "), [], 0
    for i, name in enumerate(names):
        spans.append({"id": f"T{i}", "start": at, "end": at + len(words[i]), "label": name})
        at += len(words[i]) + 1
    return {"text": text, "annotations": [{"annotator": "alice", "entities": spans}]}


def jsonl(*records: dict) -> bytes:
    return "\n".join(json.dumps(r) for r in records).encode()


def test_the_api_refuses_a_label_past_the_limit(world, settings):
    settings.CONCORD_PROJECT_MAX_LABELS = WORLD_LABELS + 1
    client = api_client_for(world.users["manager"])
    url = reverse("api:labels", kwargs={"project_id": world.project.pk})
    assert client.post(url, {"kind": "entity", "name": "LOC"}, format="json").status_code == 201
    refused = client.post(url, {"kind": "entity", "name": "MISC"}, format="json")
    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert "at most 6 labels" in body["detail"]
    assert "CONCORD_PROJECT_MAX_LABELS" in body["detail"]
    assert body["errors"][0]["field"] == "name"
    assert not Label.objects.filter(project=world.project, name="MISC").exists()


def test_the_labels_page_refuses_a_label_past_the_limit(world, settings):
    settings.CONCORD_PROJECT_MAX_LABELS = WORLD_LABELS
    page = page_client_for(world.users["manager"]).post(
        reverse("projects:labels", kwargs={"project_id": world.project.pk}),
        {"kind": "entity", "name": "LOC", "color": "#123456", "order": 0})
    assert page.status_code == 409
    assert "maximum of 5 labels" in page.content.decode()
    assert world.project.labels.count() == WORLD_LABELS


def test_bulk_creation_is_all_or_nothing_at_the_limit(world, settings):
    settings.CONCORD_PROJECT_MAX_LABELS = WORLD_LABELS + 2
    with pytest.raises(Conflict):
        services.labels_create_bulk(project=world.project, labels=[
            ("entity", f"E{i}", "#000000") for i in range(3)])
    assert world.project.labels.count() == WORLD_LABELS
    made = services.labels_create_bulk(project=world.project, labels=[
        ("entity", "E0", "#000000"), ("sentiment", "neutral", "#111111")])
    assert [(lb.kind, lb.name, lb.order) for lb in made] \
        == [("entity", "E0", 2), ("sentiment", "neutral", 2)]  # after the last of their kind
    with pytest.raises(ServiceError):  # taken
        services.labels_create_bulk(project=world.project, labels=[("entity", "PER", "#000")])


@pytest.mark.parametrize("n", [10, 500])
def test_bulk_creation_takes_a_fixed_number_of_queries(world, n, django_assert_max_num_queries):
    # A savepoint, the labels, the inserts (500 a query; SQLite has fewer parameters): as
    # many for 10 labels as for 500, where one by one took a query or more for each.
    with django_assert_max_num_queries(10):
        made = services.labels_create_bulk(project=world.project, labels=[
            ("entity", f"E{i}", "#4e79a7") for i in range(n)])
    assert len(made) == n
    assert all(lb.pk for lb in made)
    assert world.project.labels.count() == WORLD_LABELS + n


def _queries(run, names: list[str]) -> tuple[int, Job]:
    with CaptureQueriesContext(connection) as queries:
        job = run(jsonl(naming(*names)))
    assert job.status == "succeeded", (job.message, job.errors)
    return len(queries), job


def test_an_import_creates_its_labels_in_bulk(world, run):
    """An import naming 500 new labels runs as many queries as one naming 10 (a COUNT(*) and a
    schema reload per label made 100,000 labels take more than 20 minutes)."""
    few, _job = _queries(run, [f"A{i}" for i in range(10)])
    many, job = _queries(run, [f"B{i}" for i in range(500)])
    assert many <= few + 5, (few, many)
    assert len(job.result["labels_created"]) == 500
    # The annotation points at the created labels (placeholder ids renumbered).
    ann = Annotation.objects.filter(document__project=world.project, kind="annotation").last()
    names = sorted(Span.objects.filter(annotation=ann).values_list("label__name", flat=True))
    assert names == sorted(f"B{i}" for i in range(500))


def test_created_labels_serve_relations_and_sentiment(world, run):
    record = naming("CITY", "COUNTRY", line_text="Paris France")
    record["annotations"][0]["relations"] = [{"head": "T0", "tail": "T1", "label": "capital_of"}]
    record["annotations"][0]["sentiment"] = "neutral"
    record["gold"] = {"entities": [{"start": 0, "end": 5, "label": "CITY"}], "sentiment": "mixed"}
    job = run(jsonl(record))
    assert job.status == "succeeded", (job.message, job.errors)
    assert sorted(job.result["labels_created"]) == [
        "entity:CITY", "entity:COUNTRY", "relation:capital_of", "sentiment:mixed",
        "sentiment:neutral"]
    ann = Annotation.objects.get(document__project=world.project, kind="annotation")
    assert ann.relations.get().label.name == "capital_of"
    assert {lb.name for lb in Label.objects.filter(sentimentchoice__annotation=ann)} \
        == {"neutral"}
    gold = Annotation.objects.get(document__project=world.project, kind="gold")
    assert gold.spans.get().label.name == "CITY"


def test_an_import_past_the_limit_is_a_problem_with_its_line_and_field(world, run, settings):
    settings.CONCORD_PROJECT_MAX_LABELS = WORLD_LABELS + 2
    records = [naming("NEW1", "NEW2"), naming("PER", "NEW3", line_text="a b")]
    failed = run(jsonl(*records))
    assert failed.status == "failed"
    [problem] = failed.errors
    assert (problem["line"], problem["field"]) == (2, "annotations[0].entities[1].label")
    assert "at most 7 labels" in problem["message"]
    assert "CONCORD_PROJECT_MAX_LABELS" in problem["message"]
    assert world.project.labels.count() == WORLD_LABELS  # nothing stored
    skipped = run(jsonl(*records), on_error="skip")
    assert skipped.status == "succeeded", skipped.errors
    assert (skipped.result["imported"], skipped.result["skipped"]) == (1, 1)
    assert skipped.result["labels_created"] == ["entity:NEW1", "entity:NEW2"]
    assert world.project.labels.count() == WORLD_LABELS + 2


@pytest.mark.parametrize("name", ["L" * 101, "bad\x07name", "   "])
def test_a_label_name_that_cannot_be_created_is_a_problem(world, run, name):
    job = run(jsonl(naming("PER", name, line_text="a b")))
    assert job.status == "failed"
    [problem] = job.errors
    assert (problem["line"], problem["field"]) == (1, "annotations[0].entities[1].label")
    assert "1 to 100 characters" in problem["message"]
    assert world.project.labels.count() == WORLD_LABELS


def test_the_job_reports_the_label_creation(world, run, monkeypatch):
    messages: list[str] = []
    real = jobs.job_progress

    def spy(*, job_id: int, progress: float, message: str = "") -> None:
        messages.append(message)
        real(job_id=job_id, progress=progress, message=message)

    monkeypatch.setattr(jobs, "job_progress", spy)
    job = run(jsonl(naming(*(f"N{i}" for i in range(1200)))))
    assert job.status == "succeeded", (job.message, job.errors)
    assert "Creating 1,200 labels" in messages
    assert [m for m in messages if m.startswith("Created ")] == [
        "Created 500 of 1,200 labels", "Created 1,000 of 1,200 labels",
        "Created 1,200 of 1,200 labels"]
