"""The reaper and the heartbeat, without killing anything: which jobs count as dead, what is
removed after them, and that a live job keeps beating from inside its transaction."""

import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from annotation.services.imports.jobs import import_dir
from annotation.services.reaper import reap_jobs
from projects import services
from projects.models import Job, JobKind, JobStatus
from tests.factories import VersionFactory

pytestmark = pytest.mark.django_db


def _job(world, status, beat_ago: float | None, kind=JobKind.IMPORT, **params) -> Job:
    now = timezone.now()
    beat = None if beat_ago is None else now - timedelta(seconds=beat_ago)
    return Job.objects.create(project=world.project, kind=kind, status=status, params=params,
                              started_at=now - timedelta(hours=1), heartbeat_at=beat)


def test_only_running_jobs_with_a_stale_heartbeat_are_failed(world, settings):
    settings.CONCORD_JOB_STALE_SECONDS = 120
    dead = _job(world, JobStatus.RUNNING, 600)
    never_beat = _job(world, JobStatus.RUNNING, None)
    alive = _job(world, JobStatus.RUNNING, 5)
    queued = _job(world, JobStatus.QUEUED, None)
    done = _job(world, JobStatus.SUCCEEDED, 600)
    result = reap_jobs()
    assert sorted(result["reaped"]) == sorted([dead.pk, never_beat.pk])
    statuses = {j.pk: j.status for j in Job.objects.all()}
    assert statuses == {dead.pk: "failed", never_beat.pk: "failed", alive.pk: "running",
                        queued.pk: "queued", done.pk: "succeeded"}
    assert "stopped" in Job.objects.get(pk=dead.pk).message
    assert reap_jobs()["reaped"] == []  # nothing twice


def test_a_dead_import_loses_its_upload(world, media):
    upload = import_dir() / "dead.upload"
    upload.write_bytes(b'{"text": "x"}')
    kept = import_dir() / "alive.upload"
    kept.write_bytes(b'{"text": "y"}')
    _job(world, JobStatus.RUNNING, 600, path="dead.upload")
    _job(world, JobStatus.RUNNING, 1, path="alive.upload")
    result = reap_jobs()
    assert not upload.exists()
    assert kept.exists()
    assert result["removed"] == [str(upload)]


def test_a_dead_export_loses_its_partial_file_and_a_finished_one_keeps_its_own(world, media):
    dead = _job(world, JobStatus.RUNNING, 600, kind=JobKind.EXPORT)
    other = _job(world, JobStatus.RUNNING, 600, kind=JobKind.EXPORT)
    folder = f"exports/{world.project.pk}"
    partial = default_storage.save(f"{folder}/{dead.pk}-half.jsonl", ContentFile(b'{"id": '))
    VersionFactory(project=world.project, job=other, file=default_storage.save(
        f"{folder}/{other.pk}-whole.jsonl", ContentFile(b"{}\n")))
    unrelated = default_storage.save(f"{folder}/{dead.pk + 1000}-x.jsonl", ContentFile(b"{}"))
    reap_jobs()
    assert not default_storage.exists(partial)
    assert default_storage.exists(f"{folder}/{other.pk}-whole.jsonl")  # it has a version
    assert default_storage.exists(unrelated)


def test_a_redelivered_task_leaves_a_live_job_alone_and_takes_over_a_dead_one(world):
    calls = []
    live = _job(world, JobStatus.RUNNING, 1)
    services.job_run(job_id=live.pk, work=lambda j, p: calls.append(j.pk) or {})
    assert calls == []
    dead = _job(world, JobStatus.RUNNING, 3600)
    services.job_run(job_id=dead.pk, work=lambda j, p: calls.append(j.pk) or {"ok": 1})
    assert calls == [dead.pk]
    assert Job.objects.get(pk=dead.pk).status == JobStatus.SUCCEEDED


def test_the_command_reports(world, capsys):
    _job(world, JobStatus.RUNNING, 600)
    call_command("reap_jobs", "--older-than", "60")
    assert "reaped 1 job(s)" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_job_beats_from_inside_its_transaction(world, settings):
    """The heartbeat thread has its own connection: the work's long transaction (an import
    runs in one) does not hold it back, and the beats stop when the work ends. (Not on
    SQLite, whose one writer at a time makes beats wait for the transaction.)"""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("SQLite lets one connection write at a time")
    settings.CONCORD_JOB_HEARTBEAT_SECONDS = 0.2
    job = Job.objects.create(project=world.project, kind=JobKind.IMPORT)
    seen = []

    def work(j, progress):
        with transaction.atomic():
            started = Job.objects.get(pk=j.pk).heartbeat_at
            time.sleep(1.0)
        seen.append((started, Job.objects.get(pk=j.pk).heartbeat_at))
        return {}

    services.job_run(job_id=job.pk, work=work)
    (started, later), = seen
    assert later > started + timedelta(seconds=0.5)
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
