import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects import services
from projects.models import Project, Role
from tests.factories import DocumentFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
ROLES = [Role.MANAGER, Role.REVIEWER, Role.ANNOTATOR, Role.CONSUMER]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@dataclass
class World:
    """A project with a schema, one document, and a user for every role plus an outsider."""

    project: Project
    users: dict[str, object] = field(default_factory=dict)
    labels: dict[str, object] = field(default_factory=dict)
    document: object = None


@pytest.fixture
def world(db) -> World:
    manager = UserFactory(username="mia-manager")
    project = services.project_create(creator=manager, name="News", tasks=["ner", "relations",
                                                                           "sentiment"], overlap=2)
    w = World(project=project, users={Role.MANAGER: manager})
    for role in ROLES[1:]:
        w.users[role] = UserFactory(username=f"{role}-user")
        services.member_add(project=project, username=w.users[role].username, role=role)
    w.users["outsider"] = UserFactory(username="outsider")
    w.labels["PER"] = services.label_create(project=project, kind="entity", name="PER",
                                            shortcut="p")
    w.labels["ORG"] = services.label_create(project=project, kind="entity", name="ORG",
                                            shortcut="o")
    w.labels["works_for"] = services.label_create(project=project, kind="relation",
                                                  name="works_for", head_labels=["PER"],
                                                  tail_labels=["ORG"])
    w.labels["positive"] = services.label_create(project=project, kind="sentiment",
                                                 name="positive", value=1.0)
    w.labels["negative"] = services.label_create(project=project, kind="sentiment",
                                                 name="negative", value=-1.0)
    w.document = DocumentFactory(project=project, text="Alice joined 阿里巴巴 in 2019 🎉")
    return w


@pytest.fixture
def media(settings, tmp_path):
    """Files written through the default storage land in a directory of this test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def api_client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def page_client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# A real Celery worker on Redis, for integration tests marked `worker`.


def _worker_env(db_name: str, queue: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="0",
               DJANGO_SECRET_KEY="test-worker-" + "x" * 40, CELERY_QUEUE=queue)
    db = settings.DATABASES["default"]
    env["DATABASE_URL"] = (f"postgres://{db['USER'] or ''}"
                           f"{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}@"
                           f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db_name}")
    return env


@pytest.fixture(scope="session")
def _worker_process(django_db_setup, django_db_blocker):
    """Start `celery worker` against the test database; stop it at the end of the session."""
    if not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL for a real Celery worker")
    from config.celery_app import app

    queue = f"concord-test-{os.getpid()}"
    log = open(ROOT / "test-artifacts" / "celery-worker.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q",
         f"{queue},{queue}-training", "-c", "1",  # training has a queue of its own
         "-P", "solo", "-n", f"{queue}@%h", "--without-gossip", "--without-mingle",
         "--loglevel", "info"],
        cwd=ROOT, env=_worker_env(settings.DATABASES["default"]["NAME"], queue),
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        node = f"{queue}@{os.uname().nodename}"
        while not app.control.ping(timeout=1.0, destination=[node]):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start; see celery-worker.log")
        yield queue
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def celery_worker(_worker_process):
    """Send this test's tasks to the real worker; other tests keep running them in-process."""
    from config.celery_app import app

    old = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, _worker_process
    yield
    app.conf.task_always_eager, app.conf.task_default_queue = old


SLOW_FOLDERS = ("browser", "end_to_end")  # every test in them is slow
SLOW_MARKERS = ("browser", "worker")


def pytest_collection_modifyitems(config, items):
    """`slow` for the tests that take seconds: the browser's, the real worker's and the
    end-to-end walks, besides those marked so by hand. `make test` runs them all;
    PYTEST_ARGS="-m 'not slow'" is the quick loop."""
    for item in items:
        folder = item.path.relative_to(ROOT / "tests").parts[0]
        if folder in SLOW_FOLDERS or any(item.get_closest_marker(m) for m in SLOW_MARKERS):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
