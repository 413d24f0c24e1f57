"""Planner statistics after a large import (annotation/services/imports/statistics.py): ANALYZE of
the tables it filled once it stored CONCORD_IMPORT_ANALYZE_ROWS rows, on PostgreSQL."""

import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from annotation.models import Annotation, Document
from annotation.services.imports import statistics
from projects.models import Job
from tests.conftest import api_client_for

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="ANALYZE and pg_stat_user_tables are PostgreSQL's; on SQLite the import skips it")


@pytest.fixture
def run(world, django_capture_on_commit_callbacks):
    """Import `n` documents (`annotated`: each with an annotation) as the manager, the job
    run in-process; the job. Every document is new (no duplicates)."""
    loads = iter(range(1000))

    def go(n: int, *, annotated: bool = False) -> Job:
        load = next(loads)
        records = [{"text": f"Document {i} of load {load}.", **(
            {"annotations": [{"annotator": "alice", "sentiment": "positive"}]}
            if annotated else {})} for i in range(n)]
        data = "\n".join(json.dumps(r) for r in records).encode()
        url = reverse("api:imports", kwargs={"project_id": world.project.pk})
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client_for(world.users["manager"]).post(
                url, {"file": SimpleUploadedFile("load.jsonl", data),
                      "near_duplicates": "off"}, format="multipart")
        assert response.status_code == 202, response.content
        job = Job.objects.get(pk=response.json()["id"])
        assert job.status == "succeeded", (job.message, job.errors)
        assert job.result["imported"] == n
        return job
    return go


def analyze_count(model) -> int:
    """How many times `model`'s table was analyzed, as of now (not the transaction's cached
    statistics snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s",
                       [model._meta.db_table])
        return cursor.fetchone()[0]


@postgresql_only
def test_a_large_import_analyzes_the_tables_it_filled(run, settings):
    settings.CONCORD_IMPORT_ANALYZE_ROWS = 6
    documents, annotations = analyze_count(Document), analyze_count(Annotation)
    run(3, annotated=True)  # 3 documents and 3 annotations: 6 rows
    assert analyze_count(Document) == documents + 1
    assert analyze_count(Annotation) == annotations + 1
    run(6)  # documents alone: their table alone
    assert analyze_count(Document) == documents + 2
    assert analyze_count(Annotation) == annotations + 1


@postgresql_only
def test_a_small_import_leaves_the_statistics_to_autovacuum(run, settings):
    settings.CONCORD_IMPORT_ANALYZE_ROWS = 7
    documents = analyze_count(Document)
    run(3, annotated=True)
    run(6)
    assert analyze_count(Document) == documents
    settings.CONCORD_IMPORT_ANALYZE_ROWS = 0  # never
    run(20)
    assert analyze_count(Document) == documents


def test_the_threshold_and_the_tables(run, settings, monkeypatch):
    """Which tables an import hands to ANALYZE, whatever the database."""
    calls: list[set[str]] = []
    monkeypatch.setattr(statistics, "tables_analyze", lambda *, tables: calls.append(
        {model._meta.db_table for model in tables}) or True)
    settings.CONCORD_IMPORT_ANALYZE_ROWS = 4
    run(3)
    assert calls == []
    run(2, annotated=True)
    run(4)
    assert calls == [
        {"annotation_document", "annotation_annotation", "annotation_span",
         "annotation_relation", "annotation_sentimentchoice", "annotation_assignment",
         "annotation_suggestion"},
        {"annotation_document"}]


@postgresql_only
@pytest.mark.django_db
def test_a_failed_analyze_is_logged_and_leaves_the_connection_usable(caplog):
    missing = SimpleNamespace(_meta=SimpleNamespace(db_table="no_such_table"))
    assert statistics.tables_analyze(tables=(missing,)) is False
    assert "ANALYZE" in caplog.text
    assert Document.objects.count() >= 0  # the transaction is not aborted
