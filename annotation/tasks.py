from celery import shared_task

from annotation.services.imports import import_run
from projects import services
from projects.tasks import TRANSIENT, JobTask


@shared_task(base=JobTask, soft_time_limit=4 * 3600, time_limit=4 * 3600 + 300)
def import_task(job_id: int) -> None:
    services.job_run(job_id=job_id, transient=TRANSIENT,
                     work=lambda job, progress: import_run(job=job, progress=progress))
