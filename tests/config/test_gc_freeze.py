"""The web workers (config/wsgi.py) and each Celery pool process (config/celery_app.py)
freeze what they loaded, so that the collector's full passes skip the loaded code
(docs/architecture.md, "The labeling hot path"). Each probe runs in its own interpreter."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

WSGI = """
import gc, json, sys
import config.wsgi
print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects()),
                  "views": "annotation.apis.labeling" in sys.modules}))
"""
CELERY = """
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


def _probe(code: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_wsgi_module_imports_the_views_and_freezes_them():
    probe = _probe(WSGI)
    assert probe["views"]
    assert probe["frozen"] > 50_000
    assert probe["tracked"] < probe["frozen"] / 10  # next to nothing left for a full pass


def test_a_pool_process_freezes_what_the_worker_loaded():
    probe = _probe(CELERY)
    assert probe["connected"]
    assert probe["before"] == 0
    assert probe["after"] > 50_000
