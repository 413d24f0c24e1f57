import gc
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Celery's Django fixup runs the system checks in the worker's parent process before it
# forks, which imports the URLconf and with it the whole API (DRF, drf-spectacular, pygments,
# markdown: 17 MB resident in the parent and in each child). The checks run with
# `manage.py migrate` at deploy, and gunicorn does not run them either; set
# CELERY_SKIP_CHECKS= (empty) to run them in the worker too.
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

app = Celery("concord", task_cls="config.celery_base:QueueTask")  # sending never raises
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def freeze_loaded(**_: object) -> None:
    """In each pool process: leave what the parent loaded out of garbage collections, as
    config/wsgi.py does for the web workers (a dataset version's export otherwise pays a
    full pass over the whole loaded heap every few chunks)."""
    gc.collect()
    gc.freeze()
