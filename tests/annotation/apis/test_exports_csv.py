"""The csv export through the API: formulas neutralised, meta columns capped."""

import csv
import io
import json

import pytest

from annotation.models import Document
from annotation.services.store import annotation_save
from tests.annotation.apis.test_exports import finished, url  # noqa: F401 (fixture)
from tests.conftest import api_client_for
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def _csv_rows(response) -> list[list[str]]:
    data = b"".join(response.streaming_content).decode("utf-8")
    old = csv.field_size_limit(1 << 24)  # the JSON meta column of 10,000 keys is larger
    try:
        return list(csv.reader(io.StringIO(data, newline="")))
    finally:
        csv.field_size_limit(old)


def test_the_csv_export_neutralises_formulas(finished):  # noqa: F811
    """OWASP "CSV Injection": id, text, meta and the meta keys of the header that begin with
    = + - @ tab or CR get a leading ', every cell is quoted; a plain number stays."""
    Document.objects.filter(pk=finished.document.pk).update(
        external_id="=1+1", meta={"@key": "=cmd|' /C calc'!A0", "n": -2.5, "s": "+5"})
    hostile = DocumentFactory(project=finished.project, text='-2+3+cmd|" /C calc"!A0',
                              meta={"@key": "-5 degrees"})
    annotation_save(document=hostile, annotator=finished.users["reviewer"], kind="gold",
                    status="submitted", version=0, content={"sentiment": "negative"})
    response = api_client_for(finished.users["consumer"]).get(
        url(finished, "api:export"), {"format": "csv", "scope": "gold"})
    assert response.status_code == 200
    header, *rows = _csv_rows(response)
    # (PostgreSQL's jsonb orders the keys its own way: the meta columns' order follows.)
    assert header[:3] == ["id", "text", "sentiment"]
    assert sorted(header[3:6]) == ["'@key", "n", "s"]
    assert header[6] == "meta"
    first, second = (dict(zip(header, row, strict=True)) for row in rows)
    assert first["id"] == "'=1+1"
    assert (first["'@key"], first["n"], first["s"], first["meta"]) == (
        "'=cmd|' /C calc'!A0", "-2.5", "+5", "")
    assert second["text"] == """'-2+3+cmd|" /C calc"!A0"""
    assert second["'@key"] == "'-5 degrees"


def test_the_csv_export_caps_its_meta_columns(finished, settings):  # noqa: F811
    """The issue's attack: a document with 10,000 meta keys gave 10,003 columns. At most
    CONCORD_EXPORT_CSV_META_COLUMNS (50) keys get a column; the rest of each document's
    meta is in the JSON `meta` column, so nothing is lost."""
    assert settings.CONCORD_EXPORT_CSV_META_COLUMNS == 50
    meta = {f"key{i}": i for i in range(10_000)}
    Document.objects.filter(pk=finished.document.pk).update(meta=meta)
    later = DocumentFactory(project=finished.project, meta={"key3": "x", "late": True})
    annotation_save(document=later, annotator=finished.users["reviewer"], kind="gold",
                    status="submitted", version=0, content={"sentiment": "negative"})
    consumer = api_client_for(finished.users["consumer"])
    header, first, second = _csv_rows(consumer.get(url(finished, "api:export"),
                                                   {"format": "csv", "scope": "gold"}))
    assert header == ["id", "text", "sentiment", *(f"key{i}" for i in range(50)), "meta"]
    assert len(first) == len(second) == 54
    assert first[3:53] == [str(i) for i in range(50)]
    assert json.loads(first[53]) == {f"key{i}": i for i in range(50, 10_000)}
    assert second[6] == "x"
    assert json.loads(second[53]) == {"late": True}
    settings.CONCORD_EXPORT_CSV_META_COLUMNS = 0
    header, first, _second = _csv_rows(consumer.get(url(finished, "api:export"),
                                                    {"format": "csv", "scope": "gold"}))
    assert header == ["id", "text", "sentiment", "meta"]
    assert json.loads(first[3]) == meta
