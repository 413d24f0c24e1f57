"""Each Celery pool process freezes what its parent loaded (config/celery_app.py)."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import gc, json
from celery.signals import worker_process_init
from config.celery_app import app, freeze_loaded
app.loader.import_default_modules()  # the tasks, as a worker's parent loads them
before = gc.get_freeze_count()
worker_process_init.send(sender=None)
print(json.dumps({"before": before, "after": gc.get_freeze_count(),
                  "connected": any(r() is freeze_loaded for _, r in
                                   worker_process_init.receivers)}))
"""


def test_a_pool_process_freezes_what_the_worker_loaded():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=120)
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["connected"]
    assert probe["before"] == 0
    assert probe["after"] > 50_000
