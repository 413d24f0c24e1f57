"""Background jobs: created by a service, run by a thin Celery task, polled by pages and API."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from celery import Task
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from projects.errors import ServiceError
from projects.models import Job, JobStatus, Project

logger = logging.getLogger(__name__)
ProgressFn = Callable[[float, str], None]


@dataclass
class Outcome:
    """What a job's work may return instead of a plain result: the result and the
    problems it met without failing (records skipped under on_error=skip)."""

    result: dict
    errors: list[dict] = field(default_factory=list)


@transaction.atomic
def job_create(*, project: Project | None, kind: str, by: User | None,
               task: Task, params: dict[str, Any] | None = None) -> Job:
    """Record a queued job and send its task once the surrounding transaction commits."""
    job = Job.objects.create(project=project, kind=kind, created_by=by, params=params or {})
    transaction.on_commit(lambda: task.delay(job.pk))
    return job


def progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def job_progress(*, job_id: int, progress: float, message: str = "") -> None:
    """Record progress where pollers see it at once: the cache (Redis in production), since
    work such as an import runs inside one long transaction whose writes no one else sees
    until it commits; and the row itself when no transaction is open."""
    value = max(0.0, min(1.0, progress))
    cache.set(progress_key(job_id), {"progress": value, "message": message[:500]}, 6 * 3600)
    if not connection.in_atomic_block:
        Job.objects.filter(pk=job_id).update(progress=value, message=message[:500],
                                             heartbeat_at=timezone.now())


def job_fail(*, job_id: int, message: str, errors: list[dict] | None = None,
             result: dict | None = None) -> None:
    unfinished = (JobStatus.QUEUED, JobStatus.RUNNING)
    Job.objects.filter(pk=job_id, status__in=unfinished).update(
        status=JobStatus.FAILED, message=message[:500], errors=errors or [], result=result,
        finished_at=timezone.now(),
    )


def job_run(*, job_id: int, work: Callable[[Job, ProgressFn], dict | Outcome],
            transient: tuple[type[Exception], ...] = ()) -> Job | None:
    """Run `work` for a job: mark it running, record progress, then its result or failure.

    A job that already finished is left alone, so a redelivered task does nothing twice.
    A ServiceError fails the job with its errors. A `transient` error is re-raised with the
    job left running, for the task to retry; anything else fails the job and re-raises.
    """
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        return job
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=now,
                                         heartbeat_at=now)

    def progress(value: float, message: str = "") -> None:
        job_progress(job_id=job_id, progress=value, message=message)

    try:
        result = work(job, progress)
    except ServiceError as exc:
        job_fail(job_id=job_id, message=exc.detail, errors=exc.errors,
                 result=getattr(exc, "result", None))
    except transient:
        raise
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        job_fail(job_id=job_id, message=f"{type(exc).__name__}: {exc}")
        raise
    else:
        outcome = result if isinstance(result, Outcome) else Outcome(result)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.SUCCEEDED, progress=1.0, result=outcome.result,
            errors=outcome.errors, message="",
            finished_at=timezone.now(), heartbeat_at=timezone.now(),
        )
    job.refresh_from_db()
    return job
