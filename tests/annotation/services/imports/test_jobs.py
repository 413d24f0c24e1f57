"""Imports end to end: upload → job → stored documents, annotations and the report."""

import gc
import json
import time

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotation.models import Annotation, Document, DocumentStatus, ImportedIdentity, Suggestion
from annotation.selectors import annotation_content
from projects.models import Job, Label
from tests.conftest import api_client_for, page_client_for

TEXT = "👩‍💻 Alice joined 阿里巴巴 in 2019 🎉"
A, B = TEXT.index("Alice"), TEXT.index("阿里巴巴")
RECORD = {"id": "doc-1", "text": TEXT, "meta": {"source": "news"},
          "annotations": [{"annotator": "alice",
                           "entities": [{"id": "T1", "start": A, "end": A + 5, "label": "PER"},
                                        {"id": "T2", "start": B, "end": B + 4, "label": "ORG"}],
                           "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
                           "sentiment": "positive"}],
          "gold": {"entities": [{"start": A, "end": A + 5, "label": "PER"}],
                   "sentiment": "positive"},
          "predictions": {"entities": [{"start": B, "end": B + 4, "label": "ORG"}]}}


def jsonl(*records) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()


def upload(world, data: bytes, name: str = "data.jsonl", user=None, **options):
    client = api_client_for(user or world.users["manager"])
    url = reverse("api:imports", kwargs={"project_id": world.project.pk})
    return client.post(url, {"file": SimpleUploadedFile(name, data), **options},
                       format="multipart")


def run_import(world, data: bytes, name: str = "data.jsonl", **options) -> Job:
    response = upload(world, data, name, **options)
    assert response.status_code == 202, response.content
    return Job.objects.get(pk=response.json()["id"])


def test_native_jsonl_with_annotations_gold_and_predictions(world, imports):
    before = Document.objects.count()
    job = imports(jsonl(RECORD, {"text": "Second document."}))
    assert job.status == "succeeded", (job.message, job.errors)
    report = job.result
    assert {k: report[k] for k in ("read", "imported", "annotations", "gold", "predictions")} \
        == {"read": 2, "imported": 2, "annotations": 1, "gold": 1, "predictions": 1}
    assert Document.objects.count() == before + 2
    doc = Document.objects.get(external_id="doc-1")
    assert doc.meta == {"source": "news"}
    assert doc.status == DocumentStatus.REVIEWED  # gold was imported
    # Labelled elsewhere, by no member: the project's imported identity, an inactive account.
    alice = ImportedIdentity.objects.get(project=world.project, name="alice").user
    assert alice.username == f"alice@import-p{world.project.pk}"
    assert not alice.is_active
    assert not alice.has_usable_password()
    assert not User.objects.filter(username="alice").exists()
    ann = Annotation.objects.get(document=doc, annotator=alice)
    content = annotation_content(annotation=ann, multi_label=False)
    assert [(e["text"], e["label"]) for e in content["entities"]] == [("Alice", "PER"),
                                                                     ("阿里巴巴", "ORG")]
    assert content["relations"] == [{"head": "T1", "tail": "T2", "label": "works_for"}]
    assert ann.status == "submitted"
    # The predictions are suggestions of the agent `imported`, not an annotation.
    assert not Annotation.objects.filter(document=doc, kind="prediction").exists()
    assert list(Suggestion.objects.filter(document=doc).values_list(
        "kind", "start", "end", "label__name", "agent__name", "agent__kind", "model_version",
        "score")) == [("entity", B, B + 4, "ORG", "imported", "imported", "", 1.0)]


@pytest.mark.parametrize(("data", "field", "words"), [
    (b'{"text": "ok"}\n{"text": "trunc', "", "malformed JSON"),
    (b'{"text": 42}', "text", "string"),
    (jsonl({"text": "short", "annotations": [{"annotator": "a", "entities": [
        {"start": 0, "end": 99, "label": "PER"}]}]}), "annotations[0].entities[0]", "past"),
    (jsonl({"text": "Bob here", "gold": {"entities": [{"start": 0, "end": 3,
                                                        "label": "GPE"}]}}),
     "gold.entities[0].label", "GPE"),
])
def test_bad_records_store_nothing_and_name_line_and_field(world, imports, data, field, words):
    before = (Document.objects.count(), Annotation.objects.count())
    job = imports(jsonl({"text": "A good record."}) + b"\n" + data)
    assert job.status == "failed"
    assert (Document.objects.count(), Annotation.objects.count()) == before
    problem = job.errors[0]
    assert problem["line"] >= 2
    assert problem["field"] == field
    assert words in problem["message"]


def test_on_error_skip_keeps_the_good_records(world, imports):
    job = imports(jsonl({"text": "Good one."}) + b'\n{"text": 1}\n' + jsonl({"text": "Two."}),
                  on_error="skip")
    assert job.status == "succeeded"
    assert job.result["imported"] == 2
    assert job.result["skipped"] == 1
    assert job.errors == [{"line": 2, "field": "text",
                           "message": job.errors[0]["message"]}]
    assert "string" in job.errors[0]["message"]


def test_invalid_utf8_names_the_byte(world, imports):
    job = imports(b'{"text": "caf\xc3\xa9"}\n{"text": "bad \xff byte"}\n')
    assert job.status == "failed"
    assert "byte 32" in job.message


def test_empty_upload_is_refused(world):
    response = upload(world, b"")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"


def test_upload_over_the_limit_is_413(world, settings):
    settings.CONCORD_IMPORT_MAX_BYTES = 10
    response = upload(world, jsonl({"text": "more than ten bytes"}))
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_csv_without_the_text_column(world, imports):
    job = imports(b"id,body\n1,hello\n", name="data.csv")
    assert job.status == "failed"
    assert "no column 'text'" in job.message


def test_csv_other_columns_go_to_meta(world, imports):
    job = imports("id,text,source\n7,你好世界,weibo\n".encode(), name="data.csv")
    assert job.status == "succeeded", job.errors
    doc = Document.objects.get(external_id="7")
    assert (doc.text, doc.meta) == ("你好世界", {"source": "weibo"})


def test_exact_duplicates_in_file_and_against_project(world, imports):
    first = imports(jsonl({"text": "Same words."}, {"text": "Same words."}))
    assert (first.result["imported"], first.result["duplicates"]) == (1, 1)
    again = imports(jsonl({"text": "Same words."}, {"text": world.document.text}))
    assert (again.result["imported"], again.result["duplicates"]) == (0, 2)
    kept = imports(jsonl({"text": "Same words."}), duplicates="keep")
    assert kept.result["imported"] == 1


def test_merge_attaches_annotations_to_the_stored_document(world, imports):
    rec = {"text": world.document.text, "annotations": [{"annotator": "bob", "entities": [
        {"start": 0, "end": 5, "label": "PER"}]}]}
    job = imports(jsonl(rec), duplicates="merge")
    assert job.status == "succeeded", job.errors
    assert job.result["merged"] == 1
    assert Annotation.objects.filter(document=world.document,
                                     annotator__imported_identity__name="bob").exists()


def test_near_duplicates_are_grouped_and_can_be_skipped(world, imports):
    base = ("The city council approved the new budget for public transport on Monday, "
            "with more buses, longer tram hours and cheaper tickets for students. ") * 3
    near = base.replace("Monday", "Tuesday")
    job = imports(jsonl({"text": base}, {"text": near}, {"text": "Something else entirely."}))
    assert job.result["near_duplicate_group_count"] == 1
    assert job.result["near_duplicate_groups"] == [[{"line": 1}, {"line": 2}]]
    first, second, other = (Document.objects.get(project=world.project, text=t)
                            for t in (base, near, "Something else entirely."))
    assert (first.near_duplicate_group, second.near_duplicate_group) == (first.pk, first.pk)
    assert other.near_duplicate_group is None
    # a later import joins the stored group; the group keeps its smallest id
    later = imports(jsonl({"text": "Unrelated words here."}, {"text": near + " Later."}))
    assert later.result["near_duplicate_group_count"] == 1
    joined = Document.objects.get(project=world.project, text=near + " Later.")
    assert joined.near_duplicate_group == first.pk
    assert Document.objects.filter(project=world.project, near_duplicate_group=first.pk) \
        .count() == 3
    skipped = imports(jsonl({"text": near + " Again."}), near_duplicates="skip")
    assert skipped.result["near_duplicates_skipped"] == 1
    assert skipped.result["imported"] == 0


def test_annotator_and_consumer_cannot_import(world):
    for role in ("annotator", "consumer", "reviewer"):
        assert upload(world, jsonl({"text": "x"}), user=world.users[role]).status_code == 403


def test_import_page_then_job_page_shows_the_report(world, django_capture_on_commit_callbacks):
    client = page_client_for(world.users["manager"])
    url = reverse("projects:import", kwargs={"project_id": world.project.pk})
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("d.jsonl", jsonl(RECORD)),
                                     "on_error": "fail", "duplicates": "skip",
                                     "near_duplicates": "flag", "near_duplicate_threshold": 0.85,
                                     "text_column": "text", "txt_mode": "lines"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b'id="import-report"' in page.content
    assert b'data-k="imported">1<' in page.content


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_import_through_a_real_worker(world, celery_worker):
    records = [{"id": f"w-{i}", "text": f"Worker document {i} about 阿里巴巴 🎉"}
               for i in range(300)]
    response = upload(world, jsonl(*records))
    assert response.status_code == 202
    client = api_client_for(world.users["manager"])
    url = reverse("api:job", kwargs={"job_id": response.json()["id"]})
    deadline = time.monotonic() + 60
    while (job := client.get(url).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert job["status"] == "succeeded", job
    assert job["result"]["imported"] == 300
    assert Document.objects.filter(external_id__startswith="w-").count() == 300


def test_a_file_without_records_is_an_error(world, imports):
    before = Document.objects.count()
    job = imports(b"\n\n   \n")
    assert job.status == "failed"
    assert "no documents" in job.message
    assert Document.objects.count() == before


def _native(document) -> dict:
    """The native record of a stored document, as DESIGN.md describes the export."""
    rows = Annotation.objects.filter(document=document).select_related("annotator")
    record = {"id": document.external_id, "text": document.text, "meta": document.meta,
              "annotations": []}
    for ann in rows.order_by("annotator__username"):
        content = annotation_content(annotation=ann, multi_label=False)
        for entity in content["entities"]:
            del entity["text"]
        if ann.kind == "annotation":
            identity = getattr(ann.annotator, "imported_identity", None)  # as exports write it
            name = identity.name if identity is not None else ann.annotator.username
            record["annotations"].append({"annotator": name, **content})
        else:
            record["gold"] = content
    suggestions = list(Suggestion.objects.filter(document=document).order_by(
        "kind", "start", "end", "id").values_list("kind", "start", "end", "tail_start",
                                                  "tail_end", "label__name", "agent__name",
                                                  "model_version", "score"))
    if suggestions:  # as the export writes them
        ids: dict[tuple, str] = {}
        predictions: dict[str, list] = {"entities": [], "relations": [], "sentiment": []}
        for kind, start, end, t_start, t_end, label, agent, version, score in suggestions:
            source = {"agent": agent, "model_version": version, "score": score}
            if kind == "entity":
                ids[(start, end)] = f"T{len(ids) + 1}"
                predictions["entities"].append({"id": ids[(start, end)], "start": start,
                                                "end": end, "label": label, **source})
            elif kind == "relation":
                predictions["relations"].append({"head": ids[(start, end)],
                                                 "tail": ids[(t_start, t_end)],
                                                 "label": label, **source})
            else:
                predictions["sentiment"].append({"label": label, **source})
        record["predictions"] = predictions
    return record


def test_round_trip_of_the_native_format(world, imports):
    from tests.factories import ProjectFactory

    first = imports(jsonl(RECORD, {"id": "doc-2", "text": "Bob works at 腾讯.",
                                   "annotations": [{"annotator": "carol", "entities": [
                                       {"id": "T1", "start": 0, "end": 3, "label": "PER"}],
                                       "relations": [], "sentiment": "negative"}]}))
    assert first.status == "succeeded", first.errors
    exported = [_native(d) for d in Document.objects.filter(
        project=world.project, external_id__in=["doc-1", "doc-2"]).order_by("external_id")]
    # Into a fresh project with the same schema:
    twin = ProjectFactory(name="Twin", tasks=world.project.tasks)
    for label in world.project.labels.order_by("kind", "id"):
        Label.objects.create(project=twin, kind=label.kind, name=label.name)
    twin.memberships.create(user=world.users["manager"], role="manager")
    world.project = twin
    second = imports(jsonl(*exported))
    assert second.status == "succeeded", second.errors
    again = [_native(d) for d in Document.objects.filter(project=twin).order_by("external_id")]
    assert again == exported


def test_batches_plain_and_labelled_interleave_and_fail_together(world, imports, monkeypatch):
    """Plain batches stream into one open COPY; labelled ones and id checks end it."""
    monkeypatch.setattr("annotation.services.imports.importer.BATCH", 2)
    before = Document.objects.count()
    plain = [{"id": f"p{i}", "text": f"Plain document {i}."} for i in range(5)]
    labelled = {"id": "l1", "text": "Alice here.", "annotations": [
        {"annotator": "alice", "entities": [{"start": 0, "end": 5, "label": "PER"}]}]}
    job = imports(jsonl(*plain[:3], labelled, *plain[3:]))
    assert job.status == "succeeded", job.errors
    assert (job.result["imported"], job.result["annotations"]) == (6, 1)
    assert Document.objects.count() == before + 6
    assert Annotation.objects.filter(document__external_id="l1").count() == 1

    more = [{"text": f"New document {i}."} for i in range(4)]
    failed = imports(jsonl(*more, {"id": "p0", "text": "Another text."}, *more[:1],
                           {"text": "Last one."}, {"text": 5}))
    assert failed.status == "failed"
    assert [(e["line"], e["field"]) for e in failed.errors] == [(5, "id"), (8, "text")]
    assert failed.result["duplicates"] == 1
    assert Document.objects.count() == before + 6

    skipped = imports(jsonl(*more, {"id": "p0", "text": "Another text."}), on_error="skip")
    assert (skipped.result["imported"], skipped.result["skipped"]) == (4, 1)
    assert Document.objects.count() == before + 10


def test_documents_create_looks_ids_up_with_the_partial_index_condition(world):
    """The id lookup says external_id <> '' (as the importer's does), so that PostgreSQL can
    use the partial unique index on (project, external_id) whatever the batch size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annotation.services import documents_create

    records = [{"text": f"t{i}", "id": f"new-{i}"} for i in range(150)] + [{"text": "no id"}]
    with CaptureQueriesContext(connection) as queries:
        assert documents_create(project=world.project, records=records) == 151
    lookups = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith("SELECT") and '"external_id" IN' in q["sql"]]
    assert len(lookups) == 1
    assert """NOT ("annotation_document"."external_id" = '')""" in lookups[0]
    with pytest.raises(Exception, match="new-7"):
        documents_create(project=world.project, records=[{"text": "x", "id": "new-7"}])


def test_errors_are_all_counted_and_the_first_thousand_listed(world, imports):
    before = Document.objects.filter(project=world.project).count()
    bad = [{"text": n} for n in range(1005)]  # text must be a string: 1,005 problems
    job = imports(jsonl(*bad))
    assert job.status == "failed"
    assert job.result["errors"] == 1005
    assert len(job.errors) == 1000
    assert [e["line"] for e in job.errors[:3]] == [1, 2, 3]
    assert job.errors[-1]["line"] == 1000
    assert Document.objects.filter(project=world.project).count() == before


def test_a_refused_upload_leaves_no_job_and_no_file(world, settings, media):
    before = Job.objects.count()
    assert upload(world, b"").status_code == 400
    assert upload(world, b"{}", format="no-such-format").status_code == 400
    settings.CONCORD_IMPORT_MAX_BYTES = 10
    assert upload(world, jsonl({"text": "more than ten bytes"})).status_code == 413
    assert Job.objects.count() == before
    assert not list(media.glob("imports/*"))


def test_a_masked_import_deletes_its_upload(world, imports, media):
    world.project.pii_policy = "mask"
    world.project.save()
    job = imports(jsonl({"text": "Write to alice@example.com today."}))
    assert job.status == "succeeded", job.errors
    assert job.result["pii"] == {"EMAIL": 1}
    stored = Document.objects.get(project=world.project, text__startswith="Write to")
    assert "alice@example.com" not in stored.text
    assert list(media.glob("imports/*")) == []  # the unmasked bytes are gone from disk


@pytest.fixture
def startup_freeze():
    """The heap frozen as a worker freezes it at start (config/celery_app.py, config/wsgi.py);
    its frozen object count. Given back to the collector after the test."""
    gc.collect()
    gc.freeze()
    yield gc.get_freeze_count()
    gc.unfreeze()


def test_an_import_leaves_the_process_s_start_up_freeze_alone(world, imports, startup_freeze):
    """An import, whether it succeeds or fails, neither unfreezes the heap the worker froze at
    start (gc.unfreeze() at its end gave it back to the collector for the rest of the
    process's life) nor freezes more of it for good (gc has no partial unfreeze). Frozen
    objects that the import frees (a replaced cache entry) leave the count."""
    done = imports(jsonl(RECORD, {"text": "Second document."}))
    assert done.status == "succeeded", (done.message, done.errors)
    assert startup_freeze * 0.9 < gc.get_freeze_count() <= startup_freeze
    failed = imports(jsonl({"text": "ok"}, {"no": "text"}))
    assert failed.status == "failed"
    assert startup_freeze * 0.9 < gc.get_freeze_count() <= startup_freeze
