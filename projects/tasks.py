import logging
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError

from config.celery_base import QueueTask
from projects import services

logger = logging.getLogger(__name__)
# Errors worth a retry: the database went away for a moment.
TRANSIENT = (OperationalError, InterfaceError)


class JobTask(QueueTask):
    """A task whose first argument is a Job id: the job fails when the task finally does."""

    acks_late = True
    autoretry_for = TRANSIENT
    retry_backoff = True
    max_retries = 5

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any,
                   einfo: Any) -> None:
        job_id = args[0] if args else kwargs.get("job_id")
        if job_id is None:
            return
        try:  # a sentence for people; the exception and its traceback go to the log
            services.job_fail_unexpected(job_id=job_id, exc=exc)
        except DatabaseError:
            logger.error("job %s could not be marked failed", job_id, exc_info=True)
