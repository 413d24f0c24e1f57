"""The sweep of orphaned files: export files no version records and uploads no unfinished
import refers to go once older than the grace period; files in flight stay."""

import os
import time

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from annotation.services.imports.jobs import import_dir
from annotation.services.sweep import sweep_files
from annotation.tasks import sweep_files_task
from config.celery_app import app
from projects.models import Job, JobKind, JobStatus
from tests.factories import VersionFactory

pytestmark = pytest.mark.django_db
HOUR = 3600


def _age(path: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _export(name: str, age: float) -> str:
    stored = default_storage.save(name, ContentFile(b"{}\n"))
    _age(default_storage.path(stored), age)
    return stored


def _upload(name: str, age: float) -> str:
    path = import_dir() / name
    path.write_bytes(b'{"text": "x"}\n')
    _age(str(path), age)
    return str(path)


def test_orphaned_export_files_go_after_the_grace_period(world, media, settings):
    assert settings.CONCORD_ORPHAN_GRACE_SECONDS == HOUR
    folder = f"exports/{world.project.pk}"
    running = Job.objects.create(project=world.project, kind=JobKind.EXPORT,
                                 status=JobStatus.RUNNING)
    failed = Job.objects.create(project=world.project, kind=JobKind.EXPORT,
                                status=JobStatus.FAILED)
    kept = _export(f"{folder}/1-kept.jsonl", 2 * HOUR)
    VersionFactory(project=world.project, file=kept)
    orphan = _export(f"{folder}/{failed.pk}-failed.jsonl", 2 * HOUR)
    of_deleted_project = _export("exports/999999/5-gone.csv", 2 * HOUR)
    young = _export(f"{folder}/{failed.pk}-young.jsonl", 60)
    in_flight = _export(f"{folder}/{running.pk}-writing.jsonl", 2 * HOUR)
    elsewhere = _export("exports/readme.txt", 2 * HOUR)
    result = sweep_files()
    assert sorted(result["exports"]) == sorted([orphan, of_deleted_project])
    assert result["uploads"] == []
    for name in (kept, young, in_flight, elsewhere):
        assert default_storage.exists(name), name
    for name in (orphan, of_deleted_project):
        assert not default_storage.exists(name), name
    assert sweep_files() == {"exports": [], "uploads": []}


def test_orphaned_uploads_go_and_those_of_unfinished_imports_stay(world, media):
    Job.objects.create(project=world.project, kind=JobKind.IMPORT, status=JobStatus.QUEUED,
                       params={"path": "queued.upload"})
    Job.objects.create(project=world.project, kind=JobKind.IMPORT, status=JobStatus.RUNNING,
                       params={"path": "running.upload"})
    Job.objects.create(project=world.project, kind=JobKind.IMPORT, status=JobStatus.FAILED,
                       params={"path": "failed.upload"})
    waiting = _upload("queued.upload", 5 * HOUR)  # the broker was down for hours
    running = _upload("running.upload", 5 * HOUR)
    failed = _upload("failed.upload", 2 * HOUR)  # a job that failed and left its file
    stray = _upload("stray.upload", 2 * HOUR)
    young = _upload("young.upload", 10)  # written by a request whose job is not saved yet
    other = _upload("notes.txt", 2 * HOUR)
    result = sweep_files()
    assert sorted(result["uploads"]) == sorted([failed, stray])
    for path in (waiting, running, young, other):
        assert os.path.exists(path), path


def test_the_grace_period_is_a_setting(world, media, settings):
    settings.CONCORD_ORPHAN_GRACE_SECONDS = 10
    stray = _upload("stray.upload", 60)
    assert sweep_files()["uploads"] == [stray]


def test_celery_beat_runs_the_sweep_and_the_command_reports(world, media, capsys):
    entry = django_settings.CELERY_BEAT_SCHEDULE["sweep-files"]
    assert entry["task"] == sweep_files_task.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= HOUR
    _upload("stray.upload", 120)
    call_command("sweep_files", "--older-than", "60")
    assert "removed 0 export file(s), 1 upload(s)" in capsys.readouterr().out
