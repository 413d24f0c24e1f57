"""Services send tasks by name (projects/services/dispatch.py): every name they use is a
registered task, also in a process that imported no tasks module yet (a web process)."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import json, sys
import django
django.setup()
from projects.services import dispatch
before = sorted(m for m in ("annotation.tasks", "projects.tasks") if m in sys.modules)
names = [*dispatch.TASK_FOR_KIND.values(), dispatch.AGREEMENT_AUTO_TASK, dispatch.PROGRESS_TASK,
         dispatch.RANKS_TASK, dispatch.TRAINING_AUTO_TASK, dispatch.SUGGEST_TASK]
found = {name: dispatch.task_named(name).name for name in names}
print(json.dumps({"before": before, "found": found}))
"""


def test_every_task_a_service_names_is_found_in_a_fresh_process():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=120)
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["before"] == []
    assert all(name == found for name, found in probe["found"].items())
    assert len(probe["found"]) == 11


def test_every_job_kind_has_a_task():
    from projects.models import JobKind
    from projects.services.dispatch import TASK_FOR_KIND

    assert sorted(TASK_FOR_KIND) == sorted(JobKind.values)
