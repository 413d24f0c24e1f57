import os

from celery import Celery

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
