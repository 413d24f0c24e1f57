"""The job reaper: run every minute by celery beat (annotation.tasks.reap_jobs_task) or by
hand (`manage.py reap_jobs`). It fails jobs whose worker vanished, removes what they left
behind, and sends again the jobs queued while the broker was down."""

import logging
from collections.abc import Callable
from datetime import timedelta

from annotation.services.exports import export_discard
from annotation.services.imports.jobs import import_dir
from projects.models import Job, JobKind
from projects.services.jobs import job_reap, job_resend

logger = logging.getLogger(__name__)


def import_leftovers(job: Job) -> list[str]:
    """An import's upload, kept for a retry until the job finishes. (Its rows went with the
    transaction that the dead worker's connection aborted.)"""
    path = import_dir() / str(job.params.get("path", ""))
    if job.params.get("path") and path.is_file():
        path.unlink(missing_ok=True)
        return [str(path)]
    return []


def export_leftovers(job: Job) -> list[str]:
    """Files an export job wrote without recording a version: a partial or orphaned file
    under exports/<project>/<job>-*."""
    if job.project_id is None:
        return []
    return export_discard(job_id=job.pk, project_id=job.project_id)


CLEANUPS: dict[str, Callable[[Job], list[str]]] = {
    JobKind.IMPORT: import_leftovers, JobKind.EXPORT: export_leftovers}


def reap_jobs(*, older_than: timedelta | None = None) -> dict:
    reaped = job_reap(older_than=older_than)
    removed: list[str] = []
    for job in reaped:
        cleanup = CLEANUPS.get(job.kind)
        if cleanup is not None:
            removed += cleanup(job)
    if removed:
        logger.warning("reaper removed leftovers: %s", removed)
    return {"reaped": [job.pk for job in reaped], "removed": removed, "resent": job_resend()}
