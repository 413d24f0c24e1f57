"""The base class of every Concord task (config/celery_app.py): sending one never breaks the
request that sends it. With the broker (Redis) unreachable, apply_async logs the failure and
returns None instead of raising; job_create then marks its job as delayed, and the job reaper
sends it again once the broker is back (projects/services/jobs.py)."""

import logging
from typing import Any

from celery import Task
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


class QueueTask(Task):
    def apply_async(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().apply_async(*args, **kwargs)
        except OperationalError as exc:  # kombu's "could not reach the broker"
            logger.warning("task %s not sent, the broker is unreachable: %s", self.name, exc)
            return None


TRAINING_TASKS = frozenset({"annotation.tasks.train_task"})


def route_training(name: str, args: Any, kwargs: Any, options: Any, task: Any = None,
                   **kw: Any) -> dict[str, str] | None:
    """Celery router (CELERY_TASK_ROUTES): training goes to `<default queue>-training`, which a
    worker of concurrency 1 serves (docker-compose's `trainer`), so a long run never holds up
    imports, exports or agreement on the default queue."""
    if name not in TRAINING_TASKS:
        return None
    from celery import current_app

    return {"queue": f"{current_app.conf.task_default_queue}-training"}
