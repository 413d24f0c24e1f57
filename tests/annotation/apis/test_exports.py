"""Exports through the API: streamed, and as immutable dataset versions; the round trip."""

import hashlib
import io
import json
import logging
import os
import zipfile

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from annotation.models import DatasetVersion
from annotation.services import exports as exports_service
from annotation.services.store import annotation_save
from annotation.tasks import export_task
from projects import services
from projects.models import Job, JobKind, JobStatus
from projects.tasks import TRANSIENT
from tests.conftest import api_client_for, page_client_for
from tests.factories import UserFactory, VersionFactory

pytestmark = pytest.mark.django_db
GOLD = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                     {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
        "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
        "sentiment": "positive"}


@pytest.fixture
def finished(world, media):
    """The world document with two annotators' work and a gold: reviewed."""
    for name, sentiment in (("ann-a", "positive"), ("ann-b", "negative")):
        annotation_save(document=world.document, annotator=UserFactory(username=name),
                        status="submitted", version=0, content={**GOLD, "sentiment": sentiment})
    annotation_save(document=world.document, annotator=world.users["reviewer"], kind="gold",
                    status="submitted", version=0, content=GOLD)
    world.document.refresh_from_db()
    assert world.document.status == "reviewed"
    return world


def url(world, name, **kwargs):
    return reverse(name, kwargs={"project_id": world.project.pk, **kwargs})


def lines(content: bytes) -> list[dict]:
    return [json.loads(line) for line in content.decode().splitlines()]


def test_stream_gold_jsonl(finished):
    response = api_client_for(finished.users["consumer"]).get(
        url(finished, "api:export"), {"format": "jsonl", "scope": "gold"})
    assert response.status_code == 200
    [record] = lines(b"".join(response.streaming_content))
    assert record["text"] == "Alice joined 阿里巴巴 in 2019 🎉"
    assert [e["text"] for e in record["gold"]["entities"]] == ["Alice", "阿里巴巴"]
    assert record["gold"]["relations"] == GOLD["relations"]
    assert "annotations" not in record


def test_stream_all_with_pseudonyms(finished):
    response = api_client_for(finished.users["manager"]).get(
        url(finished, "api:export"), {"format": "jsonl", "scope": "all", "pseudonymize": "true"})
    [record] = lines(b"".join(response.streaming_content))
    names = [a["annotator"] for a in record["annotations"]]
    assert len(names) == 2
    assert all(n.startswith("annotator-") for n in names)
    assert "ann-a" not in json.dumps(record)
    again = api_client_for(finished.users["manager"]).get(
        url(finished, "api:export"), {"format": "jsonl", "scope": "all", "pseudonymize": "true"})
    assert [a["annotator"] for a in lines(b"".join(again.streaming_content))[0][
        "annotations"]] == names  # stable across exports


def test_bad_format_is_a_400_naming_the_field(finished):
    response = api_client_for(finished.users["consumer"]).get(url(finished, "api:export"),
                                                              {"format": "xml"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "format"


def test_a_version_is_written_once_and_downloads_identically(finished,
                                                             django_capture_on_commit_callbacks):
    consumer = api_client_for(finished.users["consumer"])
    with django_capture_on_commit_callbacks(execute=True):
        started = consumer.post(url(finished, "api:exports"),
                                {"format": "hf", "scope": "gold", "name": "v1"}, format="json")
    assert started.status_code == 202
    job = consumer.get(reverse("api:job", kwargs={"job_id": started.json()["id"]})).json()
    assert job["status"] == "succeeded", job
    [version] = consumer.get(url(finished, "api:exports")).json()
    assert (version["name"], version["documents"], version["annotations"]) == ("v1", 1, 1)
    assert version["manifest"]["labels"]["entities"] == ["PER", "ORG"]
    assert version["manifest"]["dataset_info"]
    download = url(finished, "api:version-download", version_id=version["id"])
    first = b"".join(consumer.get(download).streaming_content)
    second = b"".join(consumer.get(download).streaming_content)
    assert first == second
    assert hashlib.sha256(first).hexdigest() == version["sha256"]
    assert len(first) == version["size"]
    assert "data.jsonl" in zipfile.ZipFile(io.BytesIO(first)).namelist()
    with django_capture_on_commit_callbacks(execute=True):
        taken = consumer.post(url(finished, "api:exports"), {"format": "hf", "name": "v1"},
                              format="json")
    assert taken.status_code == 409
    detail = url(finished, "api:version", version_id=version["id"])
    assert consumer.delete(detail).status_code == 403
    assert api_client_for(finished.users["manager"]).delete(detail).status_code == 204
    assert not DatasetVersion.objects.exists()


def test_a_jsonl_gold_version_holds_the_streamed_bytes(finished,
                                                    django_capture_on_commit_callbacks):
    consumer = api_client_for(finished.users["consumer"])
    streamed = b"".join(consumer.get(url(finished, "api:export"),
                                     {"format": "jsonl", "scope": "gold"}).streaming_content)
    with django_capture_on_commit_callbacks(execute=True):
        started = consumer.post(url(finished, "api:exports"),
                                {"format": "jsonl", "scope": "gold", "name": "g1"}, format="json")
    job = consumer.get(reverse("api:job", kwargs={"job_id": started.json()["id"]})).json()
    assert job["status"] == "succeeded", job
    [version] = consumer.get(url(finished, "api:exports")).json()
    assert (version["documents"], version["annotations"]) == (1, 1)
    stored = b"".join(consumer.get(url(finished, "api:version-download",
                                       version_id=version["id"])).streaming_content)
    assert stored == streamed
    assert hashlib.sha256(stored).hexdigest() == version["sha256"]
    assert [e["text"] for e in lines(stored)[0]["gold"]["entities"]] == ["Alice", "阿里巴巴"]


def test_jsonl_round_trip_through_a_new_project(finished, django_capture_on_commit_callbacks):
    manager = finished.users["manager"]
    client = api_client_for(manager)
    first = b"".join(client.get(url(finished, "api:export"),
                                {"format": "jsonl", "scope": "all"}).streaming_content)
    copy = services.project_create(creator=manager, name="Copy", tasks=finished.project.tasks,
                                   overlap=2)
    with django_capture_on_commit_callbacks(execute=True):
        imported = client.post(reverse("api:imports", kwargs={"project_id": copy.pk}),
                               {"file": SimpleUploadedFile("all.jsonl", first),
                                "create_labels": "true"}, format="multipart")
    job = client.get(reverse("api:job", kwargs={"job_id": imported.json()["id"]})).json()
    assert job["status"] == "succeeded", job
    again = b"".join(client.get(reverse("api:export", kwargs={"project_id": copy.pk}),
                                {"format": "jsonl", "scope": "all"}).streaming_content)
    assert lines(again) == lines(first)


def test_the_exports_page_builds_lists_and_deletes_versions(finished,
                                                             django_capture_on_commit_callbacks):
    from tests.conftest import page_client_for

    page = page_client_for(finished.users["manager"])
    target = reverse("projects:exports", kwargs={"project_id": finished.project.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(target, {"format": "conll", "scope": "gold", "name": "for-ner"})
    assert response.status_code == 302
    shown = page.get(target).content.decode()
    version = DatasetVersion.objects.get(name="for-ner")
    assert f'id="version-{version.pk}"' in shown
    assert version.sha256[:12] in shown
    assert "Nothing is being built." in shown
    bad = page.post(target, {"format": "xml", "scope": "gold"})
    assert bad.status_code == 400
    consumer = page_client_for(finished.users["consumer"]).get(target).content.decode()
    assert f'id="version-{version.pk}"' in consumer
    assert f"/exports/{version.pk}/delete/" not in consumer  # deleting is for managers
    page.post(reverse("projects:version-delete", kwargs={"project_id": finished.project.pk,
                                                         "version_id": version.pk}))
    assert not DatasetVersion.objects.filter(pk=version.pk).exists()


BRAT_SHAPES = {  # sentiment of ann-a, ann-b and the gold
    "single": ("positive", "negative", "positive"),
    "multi": (["negative", "positive"], [], ["positive"]),
    "none": (None, None, None),
}


@pytest.mark.parametrize("shape", list(BRAT_SHAPES))
def test_brat_ann_files_hold_the_spans_and_document_labels_the_sentiment(world, shape,
                                                                          tmp_path):
    """Read back by pybrat: each .ann gives the entities and relations and nothing else (no
    `Document` entity); the sentiment is in document_labels.jsonl, absent without sentiment."""
    from annotation.pure.exports.brat import file_name
    from tests.annotation.pure.exports.brat_read import DOCUMENT_LABELS, read

    if shape == "multi":
        services.project_update(project=world.project, sentiment_multi_label=True)
    if shape == "none":
        services.project_update(project=world.project, tasks=["ner", "relations"])
        for name in ("positive", "negative"):
            services.label_delete(label=world.labels[name])
    *annotators, for_gold = BRAT_SHAPES[shape]
    for name, sentiment in zip(("ann-a", "ann-b"), annotators, strict=True):
        annotation_save(document=world.document, annotator=UserFactory(username=name),
                        status="submitted", version=0, content={**GOLD, "sentiment": sentiment})
    annotation_save(document=world.document, annotator=world.users["reviewer"], kind="gold",
                    status="submitted", version=0, content={**GOLD, "sentiment": for_gold})
    response = api_client_for(world.users["consumer"]).get(
        url(world, "api:export"), {"format": "brat", "scope": "all"})
    assert response.status_code == 200
    archive = read(b"".join(response.streaming_content), tmp_path)
    [record] = lines(b"".join(api_client_for(world.users["consumer"]).get(
        url(world, "api:export"), {"format": "jsonl", "scope": "all"}).streaming_content))
    stem = file_name(record["id"])
    files = [f"gold/{stem}", f"annotators/ann-a/{stem}", f"annotators/ann-b/{stem}"]
    assert sorted(archive.documents) == sorted(files)
    per, org = ("PER", 0, 5), ("ORG", 13, 17)  # code points: 阿里巴巴 is 13..17
    for document in archive.documents.values():
        assert document.text == "Alice joined 阿里巴巴 in 2019 🎉"
        assert document.entities == [per, org]
        assert document.relations == [("works_for", per, org)]
    if shape == "none":
        assert archive.labels is None
        assert DOCUMENT_LABELS not in archive.names
        return
    assert archive.labels is not None
    assert sorted(line["file"] for line in archive.labels) == sorted(files)
    found = {line["annotator"]: line["sentiment"] for line in archive.labels}
    assert all(line["id"] == str(record["id"]) for line in archive.labels)
    if shape == "multi":
        found = {who: sorted(chosen) for who, chosen in found.items()}
    assert found == {"ann-a": annotators[0], "ann-b": annotators[1], None: for_gold}


def test_a_name_in_use_or_being_built_is_a_409_at_the_request(finished):
    """The job of the first request is still queued (its task is sent on commit): asking
    for the same name again is refused at once, through the API and the exports page."""
    consumer = api_client_for(finished.users["consumer"])
    first = consumer.post(url(finished, "api:exports"), {"format": "jsonl", "name": "nightly"},
                          format="json")
    assert first.status_code == 202
    again = consumer.post(url(finished, "api:exports"), {"format": "csv", "name": " nightly "},
                          format="json")
    assert again.status_code == 409
    body = again.json()
    assert body["detail"] == ("A version named “nightly” is being built already; wait for "
                              "it, or choose another name.")
    assert body["errors"] == [{"field": "name", "message": body["detail"]}]
    page = page_client_for(finished.users["manager"]).post(
        reverse("projects:exports", kwargs={"project_id": finished.project.pk}),
        {"format": "conll", "scope": "gold", "name": "nightly"})
    assert page.status_code == 409
    assert "“nightly” is being built already" in page.content.decode()
    assert Job.objects.filter(kind=JobKind.EXPORT).count() == 1
    VersionFactory(project=finished.project, name="shipped")
    taken = consumer.post(url(finished, "api:exports"), {"format": "hf", "name": "shipped"},
                          format="json")
    assert taken.status_code == 409
    assert taken.json()["detail"] == ("A version named “shipped” exists already; choose "
                                      "another name.")


def _export_job(world, name: str) -> Job:
    return Job.objects.create(project=world.project, kind=JobKind.EXPORT,
                              created_by=world.users["consumer"],
                              params={"format": "jsonl", "scope": "gold", "name": name,
                                      "pseudonymize": False})


def _stored(world) -> list[str]:
    try:
        return sorted(default_storage.listdir(f"exports/{world.project.pk}")[1])
    except FileNotFoundError:
        return []


def test_a_version_named_while_the_job_ran_fails_it_with_a_sentence_and_no_file(finished):
    """The unique constraint is the last guard: two jobs of one name that got past the
    request (a race, or jobs queued before the check): the second fails with a sentence,
    not an IntegrityError, and removes the file it wrote."""
    first, second = _export_job(finished, "same"), _export_job(finished, "same")
    export_task.apply(args=[first.pk])
    export_task.apply(args=[second.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == JobStatus.SUCCEEDED, first.message
    assert second.status == JobStatus.FAILED
    assert second.message == ("Another version named “same” was made while this one was being "
                              "built, so this one was not kept. Export again with another name.")
    [version] = DatasetVersion.objects.all()
    assert _stored(finished) == [version.file.rsplit("/", 1)[-1]]


def test_an_export_failing_after_its_file_was_saved_removes_it(finished, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("manifest broke at /srv/concord/secret")

    monkeypatch.setattr(exports_service, "_manifest", broken)
    job = _export_job(finished, "broken")
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError):
        export_task.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "The export failed unexpectedly; the administrators have the details."
    assert _stored(finished) == []
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)
    assert "/srv/concord/secret" in caplog.text  # the details are in the log


def test_a_partly_saved_export_file_is_removed(finished, monkeypatch):
    """The storage fails in the middle of the save (a full disk): what it wrote goes."""
    def half(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(content.read(3))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", half)
    job = _export_job(finished, "full-disk")
    with pytest.raises(OSError, match="No space"):
        export_task.apply(args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.message) == (
        JobStatus.FAILED, "The export failed unexpectedly; the administrators have the details.")
    assert _stored(finished) == []


def test_a_transient_error_leaves_no_file_for_the_retry_to_duplicate(finished, monkeypatch):
    calls = []
    real = exports_service.audit_record

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(exports_service, "audit_record", flaky)
    job = _export_job(finished, "retried")

    def run() -> None:
        services.job_run(job_id=job.pk, transient=TRANSIENT,
                         work=lambda j, p: exports_service.export_run(job=j, progress=p))

    with pytest.raises(OperationalError):
        run()
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert _stored(finished) == []
    assert not DatasetVersion.objects.exists()
    run()
    [version] = DatasetVersion.objects.all()
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    assert _stored(finished) == [version.file.rsplit("/", 1)[-1]]
