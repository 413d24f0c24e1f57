"""Celery tasks by their registered names. The tasks modules import the services, so a service
never imports a tasks module: it names the task, and gets the task object from Celery's
registry, which the tasks modules fill when imported. Sending goes through the task's own
delay/apply_async (never `send_task`, which ignores task_always_eager), so the in-process mode
without REDIS_URL, QueueTask's broker-down answer (config/celery_base.py), the time limits
and the routes are the task's, as when it was imported."""

from celery import Task, current_app

from projects.models import JobKind

TASK_FOR_KIND: dict[str, str] = {
    JobKind.IMPORT: "annotation.tasks.import_task",
    JobKind.EXPORT: "annotation.tasks.export_task",
    JobKind.AGREEMENT: "annotation.tasks.agreement_task",
    JobKind.PROJECT_DELETE: "annotation.tasks.project_purge_task",
    JobKind.TRAIN: "annotation.tasks.train_task",
    JobKind.BULK: "annotation.tasks.bulk_task",
}
AGREEMENT_AUTO_TASK = "annotation.tasks.agreement_auto_task"
PROGRESS_TASK = "annotation.tasks.progress_task"
RANKS_TASK = "annotation.tasks.ranks_task"
TRAINING_AUTO_TASK = "annotation.tasks.training_auto_task"
SUGGEST_TASK = "annotation.tasks.suggest_task"


def task_named(name: str) -> Task:
    """The registered task. A worker imports every app's tasks module at start; a web
    process does on its first look-up (Celery's autodiscovery, config/celery_app.py)."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]
