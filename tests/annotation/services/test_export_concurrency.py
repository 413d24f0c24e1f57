"""Eight exports with the same name at the same moment, on PostgreSQL (threads, each on its
own connection): at the request, one starts a job and seven get a 409; in the jobs, the
unique constraint keeps one version and the other jobs fail with a sentence, leaving no
file."""

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from annotation.models import DatasetVersion
from annotation.tasks import export_task
from projects.models import Job, JobKind, JobStatus
from tests.concurrency import run_together
from tests.conftest import api_client_for

pytestmark = [
    pytest.mark.slow,  # real concurrent transactions
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                       reason="concurrent transactions need PostgreSQL (DATABASE_URL)"),
]
N = 8


class SentTasks:
    """Stands in for export_task's delay at the request: records what would be sent."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    def delay(self, job_id: int) -> str:
        self.sent.append(job_id)
        return "sent"


def test_eight_requests_for_one_name_start_one_export(world, media, monkeypatch):
    tasks = SentTasks()
    monkeypatch.setattr(export_task, "delay", tasks.delay)
    clients = [api_client_for(world.users["consumer"]) for _ in range(N)]
    target = reverse("api:exports", kwargs={"project_id": world.project.pk})
    answers = []

    def ask(client) -> None:
        answers.append(client.post(target, {"format": "jsonl", "name": "nightly"},
                                   format="json"))

    assert run_together(ask, [(client,) for client in clients]) == []
    assert sorted(a.status_code for a in answers) == [202] + [409] * (N - 1)
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["detail"] == ("A version named “nightly” is being built "
                                               "already; wait for it, or choose another name.")
    [job] = Job.objects.filter(kind=JobKind.EXPORT)
    assert tasks.sent == [job.pk]
    export_task.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert DatasetVersion.objects.get().name == "nightly"


def test_eight_jobs_for_one_name_keep_one_version_and_leave_no_stray_file(world, media):
    """Jobs that got past the request together (queued before the check existed, say): the
    constraint is the last guard."""
    jobs = [Job.objects.create(project=world.project, kind=JobKind.EXPORT,
                               created_by=world.users["consumer"],
                               params={"format": "csv", "scope": "all", "name": "same",
                                       "pseudonymize": False}) for _ in range(N)]
    assert run_together(lambda pk: export_task.apply(args=[pk]),
                        [(job.pk,) for job in jobs]) == []
    outcomes = sorted((job.status, job.message) for job in Job.objects.filter(kind="export"))
    assert outcomes == [(JobStatus.FAILED, "Another version named “same” was made while this "
                         "one was being built, so this one was not kept. Export again with "
                         "another name.")] * (N - 1) + [(JobStatus.SUCCEEDED, "")]
    [version] = DatasetVersion.objects.all()
    _dirs, files = default_storage.listdir(f"exports/{world.project.pk}")
    assert [f"exports/{world.project.pk}/{name}" for name in files] == [version.file]
