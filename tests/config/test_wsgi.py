"""config.wsgi loads every view and freezes what it loaded, so that the collector's full
passes skip the loaded code (docs/architecture.md, "The labeling hot path")."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import gc, json, sys
import config.wsgi
print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects()),
                  "views": "annotation.apis.labeling" in sys.modules}))
"""


def test_the_wsgi_module_imports_the_views_and_freezes_them():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=120)
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["views"]
    assert probe["frozen"] > 50_000
    assert probe["tracked"] < probe["frozen"] / 10  # next to nothing left for a full pass
