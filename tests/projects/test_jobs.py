import logging
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError, transaction
from django.urls import reverse

from annotation.models import Annotation, Document, Span
from annotation.services import annotation_save
from annotation.tasks import project_purge_task
from projects import services
from projects.models import Job, JobKind, JobStatus, Project
from tests.conftest import api_client_for, page_client_for
from tests.factories import DocumentFactory

CONTENT = {"entities": [{"start": 0, "end": 5, "label": "PER"}], "sentiment": "positive"}


def _fill(world, n: int = 5) -> None:
    for doc in [world.document, *DocumentFactory.create_batch(n - 1, project=world.project)]:
        annotation_save(document=doc, annotator=world.users["annotator"], content=CONTENT)


@pytest.mark.django_db(transaction=True)
def test_delete_project_job_runs_in_process_and_removes_everything(world):
    _fill(world)
    client = api_client_for(world.users["manager"])
    response = client.delete(reverse("api:project", kwargs={"project_id": world.project.pk}))
    assert response.status_code == 202
    job = client.get(reverse("api:job", kwargs={"job_id": response.json()["id"]})).json()
    assert job["status"] == "succeeded"
    assert job["progress"] == 1.0
    assert job["result"] == {"deleted_documents": 5}
    assert not Project.objects.filter(pk=world.project.pk).exists()
    assert Document.objects.count() == Annotation.objects.count() == Span.objects.count() == 0


def test_job_visibility_follows_the_role_table(world):
    job = Job.objects.create(project=world.project, kind=JobKind.EXPORT,
                             created_by=world.users["manager"])
    url = reverse("api:job", kwargs={"job_id": job.pk})
    expected = {"manager": 200, "consumer": 200, "reviewer": 403, "annotator": 403,
                "outsider": 404}
    got = {who: api_client_for(world.users[who]).get(url).status_code for who in expected}
    assert got == expected
    assert api_client_for(None).get(url).status_code == 401


def test_job_page_polls_until_done(world):
    job = Job.objects.create(project=world.project, kind=JobKind.IMPORT,
                             created_by=world.users["manager"], progress=0.4)
    client = page_client_for(world.users["manager"])
    page = client.get(reverse("projects:job", kwargs={"job_id": job.pk}))
    assert b'hx-trigger="every 1s"' in page.content
    assert b'value="0.400"' in page.content
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress=1)
    url = reverse("projects:job", kwargs={"job_id": job.pk})
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content
    assert b"hx-trigger" not in fragment.content
    assert b'data-status="succeeded"' in fragment.content


def test_finished_job_is_not_run_twice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.project_delete(project=world.project, by=world.users["manager"])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    calls = []
    services.job_run(job_id=job.pk, work=lambda j, p: calls.append(1) or {})
    assert calls == []


def test_transient_error_queues_the_job_again_for_retry(world):
    """Queued, not running: the retry claims it like a first delivery (a running job with a
    fresh heartbeat belongs to a live worker and is left alone)."""
    job = Job.objects.create(project=world.project, kind=JobKind.IMPORT)

    def flaky(j, progress):
        raise OperationalError("server closed the connection")

    with pytest.raises(OperationalError):
        services.job_run(job_id=job.pk, work=flaky, transient=(OperationalError,))
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    with pytest.raises(ZeroDivisionError):
        services.job_run(job_id=job.pk, work=lambda j, p: 1 / 0)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == ("The import failed unexpectedly; the administrators have the "
                           "details.")


def test_purge_refuses_a_live_project(world):
    job = Job.objects.create(project=world.project, kind=JobKind.PROJECT_DELETE,
                             params={"project_id": world.project.pk})
    project_purge_task.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "not marked for deletion" in job.message
    assert Project.objects.filter(pk=world.project.pk).exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_delete_project_through_a_real_celery_worker(world, celery_worker):
    _fill(world, n=30)
    client = api_client_for(world.users["manager"])
    response = client.delete(reverse("api:project", kwargs={"project_id": world.project.pk}))
    assert response.status_code == 202
    url = reverse("api:job", kwargs={"job_id": response.json()["id"]})
    deadline = time.monotonic() + 60
    while (job := client.get(url).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"job still {job['status']}"
        time.sleep(0.2)
    assert job["status"] == "succeeded", job
    assert job["result"] == {"deleted_documents": 30}
    assert Document.objects.count() == 0


def test_progress_inside_a_transaction_reaches_pollers(world):
    """An import reports progress from inside its transaction: pollers read it live."""
    job = Job.objects.create(project=world.project, kind=JobKind.IMPORT, status="running",
                             created_by=world.users["manager"])
    with transaction.atomic():
        services.job_progress(job_id=job.pk, progress=0.42, message="Read 4200 records")
    assert Job.objects.get(pk=job.pk).progress == 0  # the row waits for the commit
    data = api_client_for(world.users["manager"]).get(
        reverse("api:job", kwargs={"job_id": job.pk})).json()
    assert (data["progress"], data["message"]) == (0.42, "Read 4200 records")


def test_an_unexpected_error_fails_the_job_with_a_sentence_and_logs_the_details(world, caplog):
    """Never the exception's repr (it can hold SQL, paths or data): a sentence for people;
    the traceback goes to the log."""
    job = Job.objects.create(project=world.project, kind=JobKind.EXPORT)

    def leaky(j, progress):
        raise ValueError("duplicate key (name)=(secret) in /srv/concord/media")

    with caplog.at_level(logging.ERROR, logger="projects.services.jobs"), \
            pytest.raises(ValueError, match="duplicate key"):
        services.job_run(job_id=job.pk, work=leaky)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "The export failed unexpectedly; the administrators have the details."
    [logged] = [r for r in caplog.records if r.exc_info]
    assert logged.exc_info[0] is ValueError
    assert "/srv/concord/media" in caplog.text


@pytest.mark.parametrize(("error", "sentence"), [
    (SoftTimeLimitExceeded(), "The job ran longer than its time limit allows and was stopped. "
                              "Try a smaller piece of work, or ask the administrators to raise "
                              "the limit."),
    (MemoryError(), "The job ran out of memory and was stopped; the administrators have the "
                    "details."),
    (OperationalError("could not connect to server at 10.0.0.5"),
     "The database could not be reached, even after several attempts. Start the job again "
     "later."),
])
def test_known_errors_keep_their_sentences(world, error, sentence):
    job = Job.objects.create(project=world.project, kind=JobKind.IMPORT)

    def work(j, progress):
        raise error

    with pytest.raises(type(error)):
        services.job_run(job_id=job.pk, work=work)
    assert Job.objects.get(pk=job.pk).message == sentence


def test_a_task_that_finally_fails_says_a_sentence(world, caplog):
    """JobTask.on_failure (retries exhausted, a time limit outside the work) fails the job
    with a sentence too; a job that failed already keeps its message and is not logged
    twice."""
    job = Job.objects.create(project=world.project, kind=JobKind.PROJECT_DELETE)
    error = InterfaceError("connection already closed (10.0.0.5)")
    with caplog.at_level(logging.ERROR, logger="projects.services.jobs"):
        project_purge_task.on_failure(error, "task-id", (job.pk,), {}, None)
        project_purge_task.on_failure(RuntimeError("later"), "task-id", (job.pk,), {}, None)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == ("The database could not be reached, even after several attempts. "
                           "Start the job again later.")
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [InterfaceError]
    other = Job.objects.create(project=world.project, kind=JobKind.AGREEMENT)
    project_purge_task.on_failure(KeyError("x"), "task-id", (), {"job_id": other.pk}, None)
    assert Job.objects.get(pk=other.pk).message == (
        "The agreement computation failed unexpectedly; the administrators have the details.")
