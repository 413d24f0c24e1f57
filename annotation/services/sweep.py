"""The sweep: run every 15 minutes by celery beat (annotation.tasks.sweep_files_task) or by
hand (`manage.py sweep_files`). It removes the files that nothing refers to any more: export
files under ``exports/<project>/`` that no dataset version records, and import uploads
(``imports/*.upload``) of no queued or running import. A job's own failure paths remove
what they wrote; the sweep catches what they could not (a killed worker, a failure while the
database was away, files of deleted projects).

A file is only removed once it is older (last modified) than the grace period
(CONCORD_ORPHAN_GRACE_SECONDS, an hour), and never while its job is unfinished: an export is
written to a temporary file and saved to the storage just before its version's row is
created, and an upload is written just before its job's row, so a file in flight is young.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from annotation.models import DatasetVersion
from annotation.services.imports.jobs import import_dir
from projects.models import Job, JobKind, JobStatus

logger = logging.getLogger(__name__)
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


def grace() -> timedelta:
    return timedelta(seconds=settings.CONCORD_ORPHAN_GRACE_SECONDS)


def sweep_files(*, older_than: timedelta | None = None) -> dict[str, list[str]]:
    """Remove orphaned export files and uploads older than ``older_than`` (default: the
    grace period); the names removed."""
    cutoff = timezone.now() - (older_than if older_than is not None else grace())
    removed = {"exports": _exports(cutoff), "uploads": _uploads(cutoff)}
    if removed["exports"] or removed["uploads"]:
        logger.warning("sweep removed orphaned files: %s", removed)
    return removed


def _exports(cutoff: datetime) -> list[str]:
    # What is referred to is read before the files are listed: a file saved afterwards is
    # younger than the cutoff.
    kept = set(DatasetVersion.objects.values_list("file", flat=True))
    busy = {str(pk) for pk in Job.objects.filter(kind=JobKind.EXPORT, status__in=UNFINISHED)
            .values_list("pk", flat=True)}
    try:
        folders, _files = default_storage.listdir("exports")
    except FileNotFoundError:
        return []
    removed = []
    for folder in sorted(folders):
        if not folder.isdigit():  # exports/<project id>/ only
            continue
        try:
            _dirs, files = default_storage.listdir(f"exports/{folder}")
        except FileNotFoundError:
            continue
        for name in sorted(files):
            path = f"exports/{folder}/{name}"
            if path in kept or name.split("-", 1)[0] in busy:
                continue
            try:
                if default_storage.get_modified_time(path) > cutoff:
                    continue
            except FileNotFoundError:
                continue
            default_storage.delete(path)
            removed.append(path)
    return removed


def _uploads(cutoff: datetime) -> list[str]:
    busy = set(Job.objects.filter(kind=JobKind.IMPORT, status__in=UNFINISHED)
               .values_list("params__path", flat=True))
    removed = []
    for path in sorted(import_dir().glob("*.upload")):
        if path.name in busy:
            continue
        try:
            if path.stat().st_mtime > cutoff.timestamp():
                continue
        except FileNotFoundError:
            continue
        path.unlink(missing_ok=True)
        removed.append(str(path))
    return removed
