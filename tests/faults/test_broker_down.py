"""Redis unreachable (a REDIS_URL pointing at a closed port, for both the cache and the
Celery broker): labeling, saving, submitting and gold keep working, since none of them needs
the broker; background work is queued, says it is delayed, and is sent once Redis is back."""

import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotation.models import Annotation, AnnotationStatus
from annotation.services.reaper import reap_jobs
from config.celery_app import app
from projects.models import Job, JobStatus
from tests.conftest import api_client_for, page_client_for
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # free once closed: nothing listens there


def _reset_broker_pools() -> None:
    """Connections are made anew for the broker URL now configured."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings):
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.REDIS_URL = url
    settings.CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache",
                                   "LOCATION": url, "KEY_PREFIX": "concord",
                                   "OPTIONS": {"socket_connect_timeout": 1,
                                               "socket_timeout": 1}}}
    settings.CONCORD_AGREEMENT_DEBOUNCE = 60  # a submission tries to queue a run
    old = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _reset_broker_pools()
    yield url
    app.conf.broker_url, app.conf.task_always_eager = old
    _reset_broker_pools()


def _body(**extra):
    return {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"}],
            "relations": [], "sentiment": "positive", "status": "draft", "version": 0,
            **extra}


def test_saving_and_submitting_need_no_broker(world, redis_down):
    user = world.users["annotator"]
    AssignmentFactory(document=world.document, annotator=user)
    client = api_client_for(user)
    url = reverse("api:annotation", kwargs={"project_id": world.project.pk,
                                            "document_id": world.document.pk})
    draft = client.put(url, _body(), format="json")
    assert draft.status_code == 200, draft.content
    submitted = client.put(url, _body(version=draft.json()["version"], status="submitted"),
                           format="json")
    assert submitted.status_code == 200, submitted.content
    saved = Annotation.objects.get(document=world.document, annotator=user)
    assert saved.status == AnnotationStatus.SUBMITTED
    assert [e["label"] for e in client.get(url).json()["entities"]] == ["PER"]
    # The workbench page and the next document still answer.
    assert page_client_for(user).get(reverse("projects:label", kwargs={
        "project_id": world.project.pk})).status_code in (200, 302)


def test_gold_saves_need_no_broker(world, redis_down):
    reviewer = world.users["reviewer"]
    url = reverse("api:gold", kwargs={"project_id": world.project.pk,
                                      "document_id": world.document.pk})
    client = api_client_for(reviewer)
    current = client.get(url)
    assert current.status_code == 200, current.content
    body = {"entities": [], "relations": [], "sentiment": "negative",
            "version": current.json().get("version", 0)}
    saved = client.put(url, body, format="json")
    assert saved.status_code == 200, saved.content


def test_background_work_is_queued_as_delayed_and_sent_when_redis_returns(
        world, media, redis_down):
    client = api_client_for(world.users["manager"])
    response = client.post(
        reverse("api:imports", kwargs={"project_id": world.project.pk}),
        {"file": SimpleUploadedFile("d.jsonl", b'{"text": "Queued while Redis was down."}')},
        format="multipart")
    assert response.status_code == 202, response.content
    assert "delayed" in response.json()["message"]  # the answer itself says so
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == JobStatus.QUEUED
    assert "delayed" in job.message
    polled = client.get(reverse("api:job", kwargs={"job_id": job.pk})).json()
    assert polled["status"] == "queued"
    assert "task queue is unreachable" in polled["message"]
    page = page_client_for(world.users["manager"]).get(
        reverse("projects:job", kwargs={"job_id": job.pk}))
    assert page.status_code == 200
    assert "Background work is delayed" in page.content.decode()
    agreement = client.post(reverse("api:agreement", kwargs={"project_id": world.project.pk}))
    assert agreement.status_code == 202
    # Still down: the reaper's resend fails again and keeps the jobs marked.
    assert reap_jobs()["resent"] == 0
    # Redis "returns": here tasks run in-process again, as with no REDIS_URL.
    app.conf.task_always_eager = True
    assert reap_jobs()["resent"] == 2
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result["imported"] == 1
    assert "unsent_task" not in job.params
