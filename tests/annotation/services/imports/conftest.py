import pytest

from projects.models import Job
from tests.annotation.services.imports.test_jobs import run_import


@pytest.fixture
def imports(world, django_capture_on_commit_callbacks):
    """Run imports with their job executed in-process, as with no REDIS_URL."""
    def go(data: bytes, name: str = "data.jsonl", **options) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = run_import(world, data, name, **options)
        job.refresh_from_db()
        return job
    return go
