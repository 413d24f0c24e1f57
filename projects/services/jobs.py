"""Background jobs: created by a service, run by a thin Celery task, polled by pages and API."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded, WorkerLostError
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects import cache_keys
from projects.errors import ServiceError
from projects.models import Job, JobKind, JobStatus, Project
from projects.selectors import preferred_language
from projects.services.dispatch import TASK_FOR_KIND, task_named

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
               params: dict[str, Any] | None = None) -> Job:
    """Record a queued job and send its kind's task (TASK_FOR_KIND) once the surrounding
    transaction commits."""
    job = Job.objects.create(project=project, kind=kind, created_by=by, params=params or {})

    def send() -> None:
        if not job_enqueue(job=job):
            job.refresh_from_db(fields=["message", "params"])  # the caller answers "delayed"

    transaction.on_commit(send)
    return job


def _delayed_message() -> str:
    return _("Background work is delayed: the task queue is unreachable. The job starts "
             "when it is back.")


def job_enqueue(*, job: Job) -> bool:
    """Send a queued job's task, the one of its kind. With the broker unreachable
    (config/celery_base.py) the job stays queued, says that it is delayed, and is marked for
    job_resend to send again."""
    task = task_named(TASK_FOR_KIND[job.kind])
    if task.delay(job.pk) is not None:
        return True
    unsent = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).first()
    if unsent is not None:
        unsent.params = {**unsent.params, "unsent_task": task.name}
        unsent.message = _delayed_message()
        unsent.save(update_fields=["params", "message"])
    return False


def job_resend() -> int:
    """Send again the tasks of queued jobs that could not be sent; how many went."""
    sent = 0
    for job in Job.objects.filter(status=JobStatus.QUEUED, params__has_key="unsent_task"):
        params = {k: v for k, v in job.params.items() if k != "unsent_task"}
        Job.objects.filter(pk=job.pk).update(params=params, message="")
        if job_enqueue(job=job):
            sent += 1
    return sent


def stale_after() -> timedelta:
    return timedelta(seconds=settings.CONCORD_JOB_STALE_SECONDS)


def job_reap(*, older_than: timedelta | None = None) -> list[Job]:
    """Fail the running jobs whose worker stopped beating (killed, lost its host): their
    heartbeat is older than `older_than` (CONCORD_JOB_STALE_SECONDS). Returns them, for the
    caller to remove what they left behind."""
    cutoff = timezone.now() - (older_than if older_than is not None else stale_after())
    stale = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    with transaction.atomic():
        jobs = list(Job.objects.select_for_update(skip_locked=True)
                    .filter(stale, status=JobStatus.RUNNING))
        for job in jobs:
            beat = job.heartbeat_at or job.started_at
            job_fail(job_id=job.pk, message=_(
                "The worker running this job stopped (last heartbeat %(when)s UTC); nothing "
                "it did was kept. Start it again.") % {"when": f"{beat:%Y-%m-%d %H:%M:%S}"})
    for job in jobs:
        logger.warning("reaped job %s (%s): no heartbeat since %s", job.pk, job.kind,
                       job.heartbeat_at)
    return jobs


class _Heartbeat(threading.Thread):
    """Beats for a running job from its own thread, and so its own database connection:
    outside the work's transaction, and stopping only when the worker process does."""

    def __init__(self, job_id: int, every: float) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id, self.every, self.done = job_id, every, threading.Event()

    def run(self) -> None:
        try:
            while not self.done.wait(self.every):
                try:
                    Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("heartbeat of job %s not recorded", self.job_id,
                                   exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=self.every + 5)


def _claim(job_id: int) -> bool:
    """Mark the job running, unless it finished or a live worker runs it already (a task
    delivered twice): a running job is taken over only once its heartbeat went stale."""
    now = timezone.now()
    stale = now - stale_after()
    return bool(Job.objects.filter(pk=job_id).filter(
        Q(status=JobStatus.QUEUED)
        | Q(status=JobStatus.RUNNING) & (Q(heartbeat_at__lt=stale) | Q(heartbeat_at=None))
    ).update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now))


def job_progress(*, job_id: int, progress: float, message: str = "") -> None:
    """Record progress where pollers see it at once: the cache (Redis in production), since
    work such as an import runs inside one long transaction whose writes no one else sees
    until it commits; and the row itself when no transaction is open."""
    value = max(0.0, min(1.0, progress))
    cache.set(cache_keys.job_progress(job_id), {"progress": value, "message": message[:500]},
              6 * 3600)
    if not connection.in_atomic_block:
        Job.objects.filter(pk=job_id).update(progress=value, message=message[:500],
                                             heartbeat_at=timezone.now())


def job_fail(*, job_id: int, message: str, errors: list[dict] | None = None,
             result: dict | None = None) -> bool:
    """Fail a queued or running job with ``message``, a sentence for people; whether it was
    unfinished (a finished job keeps its outcome)."""
    unfinished = (JobStatus.QUEUED, JobStatus.RUNNING)
    return bool(Job.objects.filter(pk=job_id, status__in=unfinished).update(
        status=JobStatus.FAILED, message=message[:500], errors=errors or [], result=result,
        finished_at=timezone.now(),
    ))


def failure_message(*, kind: str | None, exc: BaseException) -> str:
    """What a job that failed on an error other than a ServiceError says: a sentence for
    people, never the exception's text (it can hold SQL, paths or the data itself); the
    traceback goes to the log."""
    if isinstance(exc, (SoftTimeLimitExceeded, TimeLimitExceeded)):
        return _("The job ran longer than its time limit allows and was stopped. Try a "
                 "smaller piece of work, or ask the administrators to raise the limit.")
    if isinstance(exc, (OperationalError, InterfaceError)):
        return _("The database could not be reached, even after several attempts. Start the "
                 "job again later.")
    if isinstance(exc, MemoryError):
        return _("The job ran out of memory and was stopped; the administrators have the "
                 "details.")
    if isinstance(exc, WorkerLostError):
        return _("The worker running this job stopped (it ran out of memory or was "
                 "killed); the administrators have the details.")
    sentences: dict[str, str] = {
        JobKind.IMPORT: _("The import failed unexpectedly; the administrators have the "
                          "details."),
        JobKind.EXPORT: _("The export failed unexpectedly; the administrators have the "
                          "details."),
        JobKind.AGREEMENT: _("The agreement computation failed unexpectedly; the "
                             "administrators have the details."),
        JobKind.PROJECT_DELETE: _("The project's deletion failed unexpectedly; the "
                                  "administrators have the details."),
        JobKind.BULK: _("The bulk action failed unexpectedly; what it finished stays done, "
                        "and the administrators have the details."),
    }
    return sentences.get(kind or "", _("The job failed unexpectedly; the administrators have "
                                       "the details."))


def job_fail_unexpected(*, job_id: int, exc: BaseException, kind: str | None = None) -> bool:
    """Fail an unfinished job for an error that is no ServiceError: the job gets
    failure_message's sentence, the log the exception with its traceback. Whether the job
    was unfinished (nothing is logged twice for a job that failed already)."""
    if kind is None:
        kind = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    failed = job_fail(job_id=job_id, message=failure_message(kind=kind, exc=exc))
    if failed:
        logger.error("job %s (%s) failed: %s", job_id, kind, type(exc).__name__,
                     exc_info=(type(exc), exc, exc.__traceback__))
    return failed


def _requeue(job_id: int) -> None:
    try:
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(status=JobStatus.QUEUED)
    except DatabaseError:  # the database itself is away: the reaper or the retry will see
        logger.warning("job %s could not be queued again", job_id)


def _language_of(job: Job) -> str:
    chosen = preferred_language(user_id=job.created_by_id) if job.created_by_id else ""
    return chosen or settings.LANGUAGE_CODE


def job_run(*, job_id: int, work: Callable[[Job, ProgressFn], dict | Outcome],
            transient: tuple[type[Exception], ...] = ()) -> Job | None:
    """Run `work` for a job: mark it running, record progress, then its result or failure.

    A job that already finished, or that a live worker runs (its heartbeat is fresh), is left
    alone, so a redelivered task does nothing twice. While the work runs, a thread beats
    (heartbeat_at) every CONCORD_JOB_HEARTBEAT_SECONDS; job_reap fails jobs whose beat stopped.
    A ServiceError fails the job with its errors. A `transient` error is re-raised with the
    job queued again, for the task to retry; anything else fails the job and re-raises.
    """
    if not _claim(job_id):
        return Job.objects.filter(pk=job_id).first()
    job = Job.objects.get(pk=job_id)
    with translation.override(_language_of(job)):  # its messages in its starter's language
        return _run_claimed(job, work, transient)


def _run_claimed(job: Job, work: Callable[[Job, ProgressFn], dict | Outcome],
                 transient: tuple[type[Exception], ...]) -> Job:
    job_id = job.pk

    def progress(value: float, message: str = "") -> None:
        job_progress(job_id=job_id, progress=value, message=message)

    beat = None
    if settings.CONCORD_JOB_HEARTBEAT_SECONDS > 0:
        beat = _Heartbeat(job_id, settings.CONCORD_JOB_HEARTBEAT_SECONDS)
        beat.start()
    try:
        result = work(job, progress)
    except ServiceError as exc:
        job_fail(job_id=job_id, message=exc.detail, errors=exc.errors,
                 result=getattr(exc, "result", None))
    except transient:
        _requeue(job_id)  # for the task's retry to claim
        raise
    except Exception as exc:
        job_fail_unexpected(job_id=job_id, exc=exc, kind=job.kind)
        raise
    else:
        outcome = result if isinstance(result, Outcome) else Outcome(result)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.SUCCEEDED, progress=1.0, result=outcome.result,
            errors=outcome.errors, message="",
            finished_at=timezone.now(), heartbeat_at=timezone.now(),
        )
    finally:
        if beat is not None:
            beat.stop()
    job.refresh_from_db()
    return job
