"""A Celery worker SIGKILLed in the middle of an import, an export and an agreement run (a
real worker on PostgreSQL and Redis): the job is left `running` by the dead worker, the
reaper fails it once its heartbeat is stale, and nothing half-done remains: no imported rows
(the transaction died with the connection), no upload, no dataset version, no file, no
report."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from annotation.models import DatasetVersion, Document
from annotation.pure.text import content_hash
from annotation.services.reaper import reap_jobs
from annotation.tasks import export_task, import_task
from projects.models import Job, JobStatus
from tests.conftest import ROOT, _worker_env, api_client_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def doomed_worker(settings, tmp_path):
    """A worker of this test alone (on its own queue), with 1-second heartbeats, sharing
    this test's media folder; the test kills it."""
    if not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL for a real Celery worker")
    from config.celery_app import app

    settings.MEDIA_ROOT = tmp_path / "media"
    queue = f"concord-doomed-{os.getpid()}-{time.monotonic_ns()}"
    env = _worker_env(settings.DATABASES["default"]["NAME"], queue)
    env.update(CONCORD_MEDIA_ROOT=str(settings.MEDIA_ROOT), CONCORD_JOB_HEARTBEAT_SECONDS="1")
    log = open(ROOT / "test-artifacts" / "celery-doomed-worker.log", "a")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q",
         f"{queue},{queue}-training", "-c", "1", "-P", "solo", "-n", f"{queue}@%h",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    old = (app.conf.task_always_eager, app.conf.task_default_queue)
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1.0, destination=[f"{queue}@{os.uname().nodename}"]):
            assert proc.poll() is None, "the worker died at start; see celery-doomed-worker.log"
            assert time.monotonic() < deadline, "the worker did not start"
        app.conf.task_always_eager, app.conf.task_default_queue = False, queue
        yield proc
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=20)
        log.close()


def _kill_when_under_way(proc, client, job_id: int, at: float) -> dict:
    """Poll the job (live progress) and SIGKILL the worker once it is past `at`."""
    url = reverse("api:job", kwargs={"job_id": job_id})
    deadline = time.monotonic() + 120
    while True:
        job = client.get(url).json()
        assert job["status"] in ("queued", "running"), job
        if job["status"] == "running" and job["progress"] >= at:
            break
        assert time.monotonic() < deadline, f"the job never got past {at}: {job}"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=20)
    return job


def _reap(job_id: int) -> Job:
    """What the periodic reaper does, with a short limit: the dead worker's 1-second
    heartbeat stops, a live one's would not."""
    time.sleep(2.5)
    result = reap_jobs(older_than=timedelta(seconds=2))
    assert job_id in result["reaped"]
    return Job.objects.get(pk=job_id)


def _open_transactions() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                       " AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def test_worker_killed_in_the_middle_of_an_import(world, doomed_worker):
    before = Document.objects.count()
    lines = (json.dumps({"id": f"k{i}", "text": f"Record {i}: Alice met Bob in town {i * 7}."})
             for i in range(300_000))
    client = api_client_for(world.users["manager"])
    response = client.post(
        reverse("api:imports", kwargs={"project_id": world.project.pk}),
        {"file": SimpleUploadedFile("big.jsonl", "\n".join(lines).encode())},
        format="multipart")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    uploads = Path(settings.MEDIA_ROOT) / "imports"
    assert len(list(uploads.iterdir())) == 1
    seen = _kill_when_under_way(doomed_worker, client, job_id, at=0.1)
    assert seen["progress"] < 0.9  # killed mid-way, not at the end
    time.sleep(0.5)
    assert Job.objects.get(pk=job_id).status == JobStatus.RUNNING  # what the dead left
    assert Document.objects.count() == before  # its transaction went with its connection
    assert _open_transactions() == 0

    job = _reap(job_id)
    assert job.status == JobStatus.FAILED
    assert "worker running this job stopped" in job.message
    assert list(uploads.iterdir()) == []  # the upload is gone too
    assert Document.objects.count() == before
    polled = client.get(reverse("api:job", kwargs={"job_id": job_id})).json()
    assert polled["status"] == "failed"
    # The broker redelivers the unacknowledged task later: it finds the job failed and
    # does nothing.
    import_task.apply(args=[job_id])
    assert Job.objects.get(pk=job_id).status == JobStatus.FAILED
    assert Document.objects.count() == before


def test_worker_killed_in_the_middle_of_an_export(world, doomed_worker):
    texts = [f"Exported document {i}, Alice and 阿里巴巴 🎉 number {i}." for i in range(120_000)]
    Document.objects.bulk_create(
        [Document(project=world.project, external_id=f"e{i}", text=text,
                  content_hash=content_hash(text)) for i, text in enumerate(texts)],
        batch_size=5000)
    client = api_client_for(world.users["consumer"])
    response = client.post(reverse("api:exports", kwargs={"project_id": world.project.pk}),
                           {"format": "jsonl", "scope": "all", "name": "killed"},
                           format="json")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    seen = _kill_when_under_way(doomed_worker, client, job_id, at=0.05)
    assert seen["progress"] < 0.95
    exports = Path(settings.MEDIA_ROOT) / "exports"

    job = _reap(job_id)
    assert job.status == JobStatus.FAILED
    assert not DatasetVersion.objects.filter(project=world.project).exists()
    assert not exports.exists() or [p for p in exports.rglob("*") if p.is_file()] == []
    export_task.apply(args=[job_id])  # the redelivered task
    assert Job.objects.get(pk=job_id).status == JobStatus.FAILED
    assert not DatasetVersion.objects.exists()


def test_worker_killed_in_the_middle_of_an_agreement_run(world, agreement_data, doomed_worker):
    """The report is stored in one transaction at the end: a run killed before leaves none,
    and once reaped the project is not stuck with a run "in flight"."""
    from annotation.models import AgreementReport
    from annotation.services.agreement.jobs import agreement_start

    client = api_client_for(world.users["manager"])
    url = reverse("api:agreement", kwargs={"project_id": world.project.pk})
    response = client.post(url)
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    _kill_when_under_way(doomed_worker, client, job_id, at=0.05)
    assert not AgreementReport.objects.filter(project=world.project).exists()
    assert _open_transactions() == 0
    job = _reap(job_id)
    assert job.status == JobStatus.FAILED
    assert not AgreementReport.objects.filter(project=world.project).exists()
    # A new run can start (the dead one no longer counts as in flight) and it completes.
    from config.celery_app import app

    app.conf.task_always_eager = True
    again = agreement_start(project=world.project, by=world.users["manager"])
    again.refresh_from_db()
    assert again.pk != job_id
    assert again.status == JobStatus.SUCCEEDED, again.message
    assert AgreementReport.objects.filter(project=world.project).count() == 1


@pytest.fixture
def agreement_data(world, settings, tmp_path):
    """8,000 documents, each submitted by three annotators (imported in-process, before the
    worker starts): an agreement run over them takes seconds."""
    settings.MEDIA_ROOT = tmp_path / "media"
    records = [{"id": f"r{i}", "text": f"Record {i}: Alice met Bob.",
                "annotations": [{"annotator": f"ann-{k}", "sentiment":
                                 "positive" if (i + k) % 3 else "negative",
                                 "entities": [{"start": 0, "end": 6, "label": "PER"}]}
                                for k in range(3)]} for i in range(8000)]
    data = "\n".join(map(json.dumps, records)).encode()
    response = api_client_for(world.users["manager"]).post(
        reverse("api:imports", kwargs={"project_id": world.project.pk}),
        {"file": SimpleUploadedFile("a.jsonl", data)}, format="multipart")
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == JobStatus.SUCCEEDED, job.message


def test_worker_killed_in_the_middle_of_training(world, training_data, doomed_worker):
    """A version is switched on in one transaction at the end of a run: a run killed midway
    leaves the previous version in use and no new one, and is reaped."""
    from annotation.models import Agent

    before = Agent.objects.get(project=world.project, name="crf")
    assert before.version is not None
    client = api_client_for(world.users["manager"])
    url = reverse("api:agent-train", kwargs={"project_id": world.project.pk, "name": "crf"})
    response = client.post(url)
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    _kill_when_under_way(doomed_worker, client, job_id, at=0.05)
    job = _reap(job_id)
    assert job.status == JobStatus.FAILED
    after = Agent.objects.get(project=world.project, name="crf")
    assert after.version_id == before.version_id
    assert after.active
    assert after.versions.count() == 1
    from annotation.tasks import train_task

    train_task.apply(args=[job_id])  # the redelivered task finds the job failed
    assert Agent.objects.get(project=world.project, name="crf").versions.count() == 1


@pytest.fixture
def training_data(world, settings, tmp_path):
    """1,500 gold documents imported in-process and a first crf version trained on them, all
    before the worker starts: a second crf run takes seconds."""
    import random

    from annotation.services.agents.training import training_start
    from tests.annotation.services.agents.conftest import gold_content

    settings.MEDIA_ROOT = tmp_path / "media"
    rng = random.Random(5)
    records = []
    for i in range(1500):
        text, content = gold_content(rng)
        records.append({"id": f"g{i}", "text": f"{text} ({i})", "gold": content})
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    response = api_client_for(world.users["manager"]).post(
        reverse("api:imports", kwargs={"project_id": world.project.pk}),
        {"file": SimpleUploadedFile("gold.jsonl", data)}, format="multipart")
    assert Job.objects.get(pk=response.json()["id"]).status == JobStatus.SUCCEEDED
    first = training_start(project=world.project, by=None, agents=["crf"])
    first.refresh_from_db()
    assert first.status == JobStatus.SUCCEEDED, first.message
