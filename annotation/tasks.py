import logging
from typing import Any

from celery import shared_task
from django.db import DatabaseError

from annotation.services.agents.suggesting import suggestions_precompute
from annotation.services.agents.training import training_auto, training_run
from annotation.services.agreement.jobs import agreement_auto, agreement_run
from annotation.services.document_actions import documents_bulk_run
from annotation.services.exports import export_run
from annotation.services.imports.jobs import import_discard, import_run
from annotation.services.ordering import document_ranks_refresh
from annotation.services.progress import progress_refresh
from annotation.services.purge import project_purge
from annotation.services.reaper import reap_jobs
from annotation.services.sweep import sweep_files
from projects import services
from projects.tasks import TRANSIENT, JobTask

logger = logging.getLogger(__name__)


class ImportTask(JobTask):
    """A transient error keeps the upload for the retry (import_run): once the task failed
    for good, it goes (with the database away, the sweep removes it later)."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any,
                   einfo: Any) -> None:
        super().on_failure(exc, task_id, args, kwargs, einfo)
        job_id = args[0] if args else kwargs.get("job_id")
        if job_id is None:
            return
        try:
            import_discard(job_id=job_id)
        except DatabaseError:
            logger.warning("import job %s: its upload is left for the sweep", job_id)


@shared_task(base=ImportTask, soft_time_limit=4 * 3600, time_limit=4 * 3600 + 300)
def import_task(job_id: int) -> None:
    services.job_run(job_id=job_id, transient=TRANSIENT,
                     work=lambda job, progress: import_run(job=job, progress=progress))


@shared_task(base=JobTask, soft_time_limit=1800, time_limit=1900)
def agreement_task(job_id: int) -> None:
    services.job_run(job_id=job_id, transient=TRANSIENT,
                     work=lambda job, progress: agreement_run(job=job, progress=progress))


@shared_task(soft_time_limit=60, time_limit=90, autoretry_for=TRANSIENT, max_retries=3)
def agreement_auto_task(project_id: int) -> None:
    """The debounced run after submissions: starts a job unless one is in flight."""
    agreement_auto(project_id=project_id)


@shared_task(base=JobTask, soft_time_limit=4 * 3600, time_limit=4 * 3600 + 300)
def export_task(job_id: int) -> None:
    services.job_run(job_id=job_id, transient=TRANSIENT,
                     work=lambda job, progress: export_run(job=job, progress=progress))


@shared_task(base=JobTask, soft_time_limit=1800, time_limit=1900)
def bulk_task(job_id: int) -> None:
    """A bulk action on many documents (its batches commit one by one; a retry goes on)."""
    services.job_run(job_id=job_id, transient=TRANSIENT,
                     work=lambda job, progress: documents_bulk_run(job=job, progress=progress))


@shared_task(soft_time_limit=120, time_limit=150)
def reap_jobs_task() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): fail jobs whose worker vanished, resend unsent."""
    return reap_jobs()


@shared_task(soft_time_limit=600, time_limit=660)
def sweep_files_task() -> dict:
    """Every 15 minutes (CELERY_BEAT_SCHEDULE): remove orphaned export files and uploads."""
    return sweep_files()


@shared_task(soft_time_limit=300, time_limit=360, autoretry_for=TRANSIENT, max_retries=3)
def progress_task(project_id: int) -> None:
    """Recompute a project's progress figures (queued by a dashboard view when they aged)."""
    progress_refresh(project_id=project_id)


@shared_task(base=JobTask, soft_time_limit=3600, time_limit=3700)
def project_purge_task(job_id: int) -> None:
    services.job_run(
        job_id=job_id,
        transient=TRANSIENT,
        work=lambda job, progress: project_purge(
            project_id=job.params["project_id"], progress=progress
        ),
    )


@shared_task(base=JobTask, soft_time_limit=3600, time_limit=3700)
def train_task(job_id: int) -> None:
    """On its own queue (CELERY_TRAINING_QUEUE), served by a worker of concurrency 1."""
    services.job_run(job_id=job_id, transient=TRANSIENT,
                     work=lambda job, progress: training_run(job=job, progress=progress))


@shared_task(soft_time_limit=60, time_limit=90, autoretry_for=TRANSIENT, max_retries=3)
def training_auto_task(project_id: int) -> None:
    """The debounced check after gold changed: trains when enough new gold came."""
    training_auto(project_id=project_id)


@shared_task(soft_time_limit=3600, time_limit=3700, autoretry_for=TRANSIENT, max_retries=3)
def suggest_task(project_id: int) -> dict:
    """Compute the switched-on agents' suggestions for the open documents (idempotent: a
    batch replaces what those agents suggested for its documents)."""
    return suggestions_precompute(project_id=project_id)


@shared_task(soft_time_limit=1800, time_limit=1900, autoretry_for=TRANSIENT, max_retries=3)
def ranks_task(project_id: int) -> int:
    """Rank the project's new documents for its order (queued when the order changed;
    idempotent: a second run writes nothing)."""
    return document_ranks_refresh(project_id=project_id)
