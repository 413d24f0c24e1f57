"""Imports of hostile or broken files: the report counts every record, limits name their
setting, and no failure leaves the upload behind."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, OperationalError

from annotation.models import Document
from annotation.services.imports import importer as importer_module
from annotation.services.imports.jobs import import_dir, import_run
from annotation.tasks import import_task
from projects import services
from projects.models import Job, JobStatus
from projects.tasks import TRANSIENT
from tests.annotation.services.imports.test_jobs import jsonl, run_import

UNEXPECTED = "The import failed unexpectedly; the administrators have the details."


@pytest.fixture
def imports(imports, media):
    """The in-process imports (conftest.py), with this test's own media directory, so that
    what a failure leaves behind can be listed."""
    return imports


def uploads() -> list[str]:
    return sorted(p.name for p in import_dir().glob("*.upload"))


def counts(job: Job) -> dict[str, int]:
    return {key: job.result[key] for key in ("read", "imported", "errors", "skipped")}


GOOD = '{"text": "A good record."}\n'


@pytest.mark.parametrize(("name", "data", "expected"), [
    # The report of the issue: one malformed line and three records with problems.
    ("data.jsonl", '{"text": \n' + "".join(
        json.dumps({"text": f"doc {i}", "gold": {"sentiment": "nope"}}) + "\n"
        for i in range(3)), (4, 0, 4, 4)),
    ("data.jsonl", '{"text": 1}\n' + GOOD, (2, 1, 1, 1)),
    ("data.jsonl", '{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', (2, 1, 1, 1)),
    ("data.jsonl", '{"text": "x", "meta": ' + '{"a":' * 40 + "1" + "}" * 40 + "}\n" + GOOD,
     (2, 1, 1, 1)),
    ("data.doccano", '{"text": "x", "label": [[0, 9, "PER"]] \n{"text": "y", "label": []}\n',
     (2, 1, 1, 1)),
    ("data.json", '[{"text": "a"}, {"text": "b", "gold": {"entit', (2, 1, 1, 1)),
    ("data.json", '[{"text": "a"}, ' + "[" * 100 + "]" * 100 + "]", (2, 1, 1, 1)),
    ("data.json", '[{"text": "a"}] trailing', (1, 1, 1, 1)),  # no record after the array
    ("data.csv", 'text,id\n"a",1\nb,2,extra\n', (2, 1, 1, 1)),
    ("data.conll", "EU B-ORG\nrejects O\n\nPeter BAD\n", (2, 1, 1, 1)),
    ("data.ls.json", json.dumps([{"data": {"text": "a"}}, {"id": 2}]), (2, 1, 1, 1)),
])
def test_read_counts_every_record_of_the_file(imports, name, data, expected):
    fmt = {"doccano": "doccano", "ls.json": "label-studio"}.get(name.split(".", 1)[1])
    job = imports(data.encode(), name, on_error="skip", **({"format": fmt} if fmt else {}))
    assert counts(job) == dict(zip(("read", "imported", "errors", "skipped"), expected,
                                   strict=True)), job.errors
    assert uploads() == []


def test_limits_come_from_the_settings_and_name_them(imports, settings):
    settings.CONCORD_IMPORT_MAX_META_KEYS = 2
    settings.CONCORD_IMPORT_MAX_DEPTH = 8
    data = jsonl({"text": "ok", "meta": {"a": 1, "b": 2}},
                 {"text": "wide", "meta": {"a": 1, "b": 2, "c": 3}},
                 {"text": "deep", "meta": {"a": [[[[[[[[1]]]]]]]]}})
    job = imports(data)
    assert job.status == JobStatus.FAILED
    assert job.message == "Nothing was imported: 2 problems found."
    assert job.errors == [
        {"line": 2, "field": "meta",
         "message": "3 meta keys; the limit is 2 (CONCORD_IMPORT_MAX_META_KEYS)"},
        {"line": 3, "field": "meta",
         "message": "nested deeper than 8 levels of arrays and objects (the limit, "
                    "CONCORD_IMPORT_MAX_DEPTH)"},
    ]
    assert job.result["read"] == 3


def test_a_csv_wider_than_the_meta_limit_fails_with_a_sentence(imports, settings):
    settings.CONCORD_IMPORT_MAX_META_KEYS = 3
    job = imports(b"text,a,b,c,d\nx,1,2,3,4\n", "wide.csv")
    assert job.status == JobStatus.FAILED
    assert job.message == ("The header has 5 columns; at most 3 besides the text and the id "
                           "may become meta keys (CONCORD_IMPORT_MAX_META_KEYS).")
    assert uploads() == []


# Every failure removes the upload; the message is a sentence, never the exception.


@pytest.mark.parametrize("error", [
    RecursionError("maximum recursion depth exceeded while encoding a JSON object"),
    DataError("unsupported Unicode escape sequence DETAIL: \\u0000 cannot be converted"),
    ValidationError("Enter a valid value: /srv/concord/secret"),
    MemoryError(),
    KeyError("meta"),
])
def test_an_import_failing_on_any_error_removes_its_upload(world, media, monkeypatch, error):
    def broken(self, item):
        raise error

    monkeypatch.setattr(importer_module.Importer, "add", broken)
    job = run_import(world, jsonl({"text": "x"}))
    assert len(uploads()) == 1
    with pytest.raises(type(error)):
        import_task.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message in (UNEXPECTED, "The job ran out of memory and was stopped; the "
                                       "administrators have the details.")
    assert uploads() == []


def test_a_file_error_and_a_deleted_project_remove_the_upload(world, imports):
    job = imports(b"\xff\xfe\xfd not text", "bad.jsonl")
    assert job.status == JobStatus.FAILED
    assert uploads() == []
    job = run_import(world, jsonl({"text": "x"}))
    Job.objects.filter(pk=job.pk).update(project=None)
    import_task.apply(args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.FAILED,
                                         "The project of this import was deleted.")
    assert uploads() == []


def test_a_transient_error_keeps_the_upload_for_the_retry_and_the_last_try_removes_it(
        world, media, monkeypatch):
    calls = []
    real = importer_module.Importer.add

    def flaky(self, item):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(self, item)

    monkeypatch.setattr(importer_module.Importer, "add", flaky)
    job = run_import(world, jsonl({"text": "retried"}))

    def run() -> None:
        services.job_run(job_id=job.pk, transient=TRANSIENT,
                         work=lambda j, p: import_run(job=j, progress=p))

    with pytest.raises(OperationalError):
        run()
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert len(uploads()) == 1  # the retry reads it
    run()
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    assert Document.objects.filter(text="retried").exists()
    assert uploads() == []

    # The last try failed too: Celery calls on_failure, which fails the job and removes it.
    job = run_import(world, jsonl({"text": "never"}))
    assert len(uploads()) == 1
    import_task.on_failure(OperationalError("the database is away"), "task-id", (job.pk,), {},
                           None)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == ("The database could not be reached, even after several attempts. "
                           "Start the job again later.")
    assert uploads() == []


@pytest.mark.parametrize(("records", "options", "message"), [
    ([{"id": "d" * 256, "text": "An id one character too long."}], {},
     "the id has 256 characters; an id has at most 255"),
    ([{"id": "d" * 254, "text": "Long text. " * 3}], {"long_texts": "split"},
     "the id has 256 characters with its part number; an id has at most 255"),
])
def test_an_id_longer_than_its_column_is_a_problem_not_a_database_error(
        imports, settings, records, options, message):
    settings.CONCORD_MAX_DOCUMENT_CHARS = 30
    before = set(Document.objects.values_list("pk", flat=True))
    job = imports(jsonl(*records, {"id": "ok", "text": "Fine."}), on_error="skip", **options)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.errors[0] == {"line": 1, "field": "id", "message": message}
    assert list(Document.objects.exclude(pk__in=before)
                .values_list("external_id", flat=True)) == ["ok"]
