"""Long texts: the length limit on import (a problem, or parts), and lists that never send
a whole long text (the API, the documents page, the review queue)."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotation.models import Annotation, Document, DocumentStatus
from annotation.selectors import annotation_content
from annotation.selectors.documents import LIST_TEXT_CHARS
from projects.models import Job
from tests.conftest import api_client_for, page_client_for
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

LIMIT = 40
FIRST = "Alice 🎉 joined 阿里巴巴 in 2019. "  # each sentence fits in LIMIT code points
SECOND = "Bob 👩‍💻 works at 腾讯 in 深圳. "
THIRD = "Carol moved to 東京 🗼 last year."


def jsonl(*records) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()


@pytest.fixture
def imports(world, settings, django_capture_on_commit_callbacks):
    settings.CONCORD_MAX_DOCUMENT_CHARS = LIMIT

    def go(data: bytes, **options) -> Job:
        client = api_client_for(world.users["manager"])
        url = reverse("api:imports", kwargs={"project_id": world.project.pk})
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(url, {"file": SimpleUploadedFile("data.jsonl", data),
                                       **options}, format="multipart")
        assert answer.status_code == 202, answer.content
        return Job.objects.get(pk=answer.json()["id"])
    return go


def span(text: str, part: str, label: str) -> dict:
    return {"start": text.index(part), "end": text.index(part) + len(part), "label": label}


def test_a_text_over_the_limit_is_a_problem_and_nothing_is_stored(world, imports):
    before = Document.objects.count()
    job = imports(jsonl({"id": "ok", "text": "short"}, {"id": "long", "text": "中" * (LIMIT + 1)}))
    assert job.status == "failed"
    assert [(e["line"], e["field"]) for e in job.errors] == [(2, "text")]
    assert f"{LIMIT + 1} code points; the limit is {LIMIT}" in job.errors[0]["message"]
    assert "CONCORD_MAX_DOCUMENT_CHARS" in job.errors[0]["message"]
    assert Document.objects.count() == before


def test_split_makes_parts_with_their_spans_shifted(world, imports):
    text = FIRST + SECOND + THIRD
    entities = [span(text, "Alice", "PER"), span(text, "阿里巴巴", "ORG"),
                span(text, "Bob", "PER"), span(text, "腾讯", "ORG"), span(text, "東京", "ORG")]
    record = {"id": "doc-9", "text": text, "meta": {"source": "news"},
              "annotations": [{"annotator": "alice", "entities": entities,
                               "sentiment": "positive"}],
              "gold": {"entities": entities[2:4]}}
    job = imports(jsonl(record), long_texts="split")
    assert job.status == "succeeded", (job.message, job.errors)
    assert (job.result["read"], job.result["imported"], job.result["split"]) == (1, 3, 1)
    docs = list(Document.objects.filter(external_id__startswith="doc-9#").order_by("id"))
    assert [(d.external_id, d.text) for d in docs] == [
        ("doc-9#1", FIRST), ("doc-9#2", SECOND), ("doc-9#3", THIRD)]
    assert docs[1].meta == {"source": "news", "split_from": "doc-9", "split_part": 2,
                            "split_parts": 3}
    assert all(len(d.text) <= LIMIT for d in docs)
    found = []
    for doc in docs:
        ann = Annotation.objects.get(document=doc, kind="annotation")
        content = annotation_content(annotation=ann, multi_label=False)
        found.append([(e["text"], e["label"]) for e in content["entities"]])
        assert content["sentiment"] == "positive"
    assert found == [[("Alice", "PER"), ("阿里巴巴", "ORG")], [("Bob", "PER"), ("腾讯", "ORG")],
                     [("東京", "ORG")]]
    assert docs[1].status == DocumentStatus.REVIEWED  # the gold went to part 2...
    assert docs[0].status == DocumentStatus.REVIEWED  # ...and, empty, to the others


def test_a_span_across_a_cut_is_reported_never_shifted(world, imports):
    text = FIRST + SECOND
    across = {"start": len(FIRST) - 6, "end": len(FIRST) + 3, "label": "ORG"}
    job = imports(jsonl({"id": "x", "text": text, "gold": {"entities": [across]}}),
                  long_texts="split")
    assert job.status == "failed"
    assert job.errors[0]["field"] == "gold.entities[0]"
    assert "crosses the cut" in job.errors[0]["message"]
    assert not Document.objects.filter(external_id__startswith="x").exists()


def test_parts_take_part_in_near_duplicate_detection(world, imports):
    long = {"id": "a", "text": FIRST + SECOND}
    copy = {"id": "b", "text": SECOND.replace("Bob", "Rob")}
    flagged = imports(jsonl(long, copy), long_texts="split")
    assert flagged.status == "succeeded", flagged.errors
    assert flagged.result["near_duplicate_groups"] == [[{"line": 2}, {"line": 1, "part": 2}]] \
        or flagged.result["near_duplicate_groups"] == [[{"line": 1, "part": 2}, {"line": 2}]]
    Document.objects.filter(external_id__in=["a#1", "a#2", "b"]).delete()
    skipped = imports(jsonl(long, copy), long_texts="split", near_duplicates="skip")
    assert skipped.status == "succeeded", skipped.errors
    assert skipped.result["near_duplicates_skipped"] == 1
    assert set(Document.objects.filter(external_id__in=["a#1", "a#2", "b"])
               .values_list("external_id", flat=True)) == {"a#1", "a#2"}  # the first kept


def test_a_part_id_that_a_record_also_has_is_a_problem(world, imports):
    job = imports(jsonl({"id": "a#2", "text": "other"}, {"id": "a", "text": FIRST + SECOND}),
                  long_texts="split", on_error="skip")
    assert job.status == "succeeded"
    assert [(e["line"], e["field"]) for e in job.errors] == [(2, "id")]
    assert Document.objects.filter(external_id__in=["a#1", "a#2"]).count() == 2


LONG = ("Alice 阿里巴巴 🎉 " * 20_000)[:200_000]


def whole_text_selected(queries) -> list[str]:
    """Queries that read a document's whole text (not a SUBSTRING or LEFT of it)."""
    column = '"annotation_document"."text"'
    whole = re.compile(r'(?<!SUBSTRING\()(?<!SUBSTR\()(?<!LEFT\()"annotation_document"\."text"')
    return [q["sql"] for q in queries
            if whole.search(q["sql"]) and column in q["sql"].split(" FROM ")[0]]


def test_the_list_api_sends_the_beginning_of_long_texts(world):
    long = DocumentFactory(project=world.project, text=LONG)
    client = api_client_for(world.users["consumer"])
    url = reverse("api:documents", kwargs={"project_id": world.project.pk})
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url)
    assert answer.status_code == 200
    rows = {row["id"]: row for row in answer.json()["results"]}
    assert rows[long.pk]["text"] == LONG[:LIST_TEXT_CHARS]
    assert rows[long.pk]["text_truncated"] is True
    short = rows[world.document.pk]
    assert (short["text"], short["text_truncated"]) == (world.document.text, False)
    assert len(answer.content) < 10_000
    assert whole_text_selected(queries.captured_queries) == []
    detail = client.get(reverse("api:document", kwargs={"project_id": world.project.pk,
                                                        "document_id": long.pk}))
    assert detail.json()["text"] == LONG  # one document: all of it


@pytest.mark.parametrize("page", ["projects:documents", "projects:review"])
def test_list_pages_send_no_long_text(world, page):
    DocumentFactory(project=world.project, text=LONG, status=DocumentStatus.ANNOTATED)
    client = page_client_for(world.users["manager"])
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(reverse(page, kwargs={"project_id": world.project.pk}))
    assert answer.status_code == 200
    assert "Alice 阿里巴巴" in answer.content.decode()
    assert len(answer.content) < 100_000
    assert whole_text_selected(queries.captured_queries) == []
