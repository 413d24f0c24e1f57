"""docs/operations.md's backup and restore, done as written: pg_dump of the database and a
tar of the media root, restored into a new database and folder; the restored project gives
byte-identical exports in every format, and its dataset version downloads the same bytes."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from annotation.models import DatasetVersion
from annotation.pure.exports import FORMATS
from annotation.services.exports import export_start, export_stream
from annotation.services.store import annotation_save
from tests.conftest import ROOT
from tests.factories import DocumentFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # pg_dump, a restore
GOLD = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"}], "relations": [],
        "sentiment": "positive"}
# Run in a fresh interpreter against the restored database and media root.
DIGESTS = """
import hashlib, json, sys
import django
django.setup()
from django.core.files.storage import default_storage
from annotation.models import DatasetVersion
from annotation.services.exports import export_stream
from projects.models import Project
project = Project.objects.get(pk=int(sys.argv[1]))
out = {}
for fmt in sys.argv[2].split(","):
    for scope in ("gold", "all"):
        _export, chunks = export_stream(project=project, fmt=fmt, scope=scope)
        out[f"{fmt}/{scope}"] = hashlib.sha256(b"".join(chunks)).hexdigest()
for v in DatasetVersion.objects.filter(project=project):
    with default_storage.open(v.file) as f:
        out[f"version/{v.name}"] = [hashlib.sha256(f.read()).hexdigest(), v.sha256]
print(json.dumps(out))
"""


def _digests(project, formats) -> dict:
    out = {}
    for fmt in formats:
        for scope in ("gold", "all"):
            _export, chunks = export_stream(project=project, fmt=fmt, scope=scope)
            out[f"{fmt}/{scope}"] = hashlib.sha256(b"".join(chunks)).hexdigest()
    for v in DatasetVersion.objects.filter(project=project):
        with default_storage.open(v.file) as f:
            out[f"version/{v.name}"] = [hashlib.sha256(f.read()).hexdigest(), v.sha256]
    return out


def _pg(*args: str) -> None:
    subprocess.run(list(args), check=True, capture_output=True, text=True)


@pytest.fixture
def postgres():
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") or not shutil.which("pg_dump"):
        pytest.skip("needs PostgreSQL and its client tools")
    return db


def test_a_project_survives_dump_and_restore(world, postgres, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    for n in range(6):
        doc = world.document if n == 0 else DocumentFactory(project=world.project)
        for name in ("ann-a", "ann-b"):
            annotation_save(document=doc, annotator=UserFactory(username=f"{name}-{n}"),
                            status="submitted", version=0, content=GOLD)
        if n % 2 == 0:
            annotation_save(document=doc, annotator=world.users["reviewer"], kind="gold",
                            status="submitted", version=0, content=GOLD)
    export_start(project=world.project, by=world.users["manager"], fmt="jsonl", scope="all",
                 name="v1")  # eager: the version and its file are written now
    formats = sorted(FORMATS)
    before = _digests(world.project, formats)
    assert before["version/v1"][0] == before["version/v1"][1]

    # Back up, as docs/operations.md says.
    host, user, name = postgres["HOST"] or "127.0.0.1", postgres["USER"] or "root", postgres["NAME"]
    dump = tmp_path / "concord.dump"
    port = str(postgres["PORT"] or 5432)
    _pg("pg_dump", "-h", host, "-p", port, "-U", user, "-Fc", "-f", str(dump), name)
    with tarfile.open(tmp_path / "media.tar.gz", "w:gz") as tar:
        tar.add(settings.MEDIA_ROOT, arcname="media")
    # Restore into a new database and a new media root.
    restored = f"{name}_restored"
    _pg("psql", "-h", host, "-p", port, "-U", user, "-d", "postgres", "-c",
        f'DROP DATABASE IF EXISTS "{restored}"')
    _pg("createdb", "-h", host, "-p", port, "-U", user, restored)
    try:
        _pg("pg_restore", "-h", host, "-p", port, "-U", user, "--no-owner", "-d", restored,
            str(dump))
        target = tmp_path / "restored"
        with tarfile.open(tmp_path / "media.tar.gz") as tar:
            tar.extractall(target, filter="data")
        env = {**_env(host, user, restored), "CONCORD_MEDIA_ROOT": str(target / "media")}
        run = subprocess.run([sys.executable, "-c", DIGESTS, str(world.project.pk),
                              ",".join(formats)], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        after = json.loads(run.stdout.strip().splitlines()[-1])
    finally:
        _pg("psql", "-h", host, "-p", port, "-U", user, "-d", "postgres", "-c",
            f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
    assert after == before
    assert len(after) == 2 * len(formats) + 1


def _env(host: str, user: str, db: str) -> dict[str, str]:
    port = settings.DATABASES["default"]["PORT"] or 5432
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.test_settings",
               DATABASE_URL=f"postgres://{user}@{host}:{port}/{db}")
    return env
