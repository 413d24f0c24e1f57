"""A 4xx is the client's business, not a crash: it logs one warning line, no traceback
(config/log_filters.py). A 5xx keeps its traceback."""

import logging
import sys

import pytest
from django.urls import reverse

from config.log_filters import ClientErrorsWithoutTraceback
from tests.conftest import api_client_for, page_client_for
from tests.factories import DocumentFactory


def _request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_forbidden_page_logs_one_warning_line(world, caplog):
    """A view's PermissionDenied: Django logs it with the exception (exc_info), which the
    console printed as a full traceback for every 403."""
    client = page_client_for(world.users["consumer"])
    url = reverse("projects:label", args=[world.project.pk])
    with caplog.at_level(logging.INFO):
        response = client.get(url)
    assert response.status_code == 403
    [record] = _request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == f"Forbidden (Permission denied): {url}"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_document_not_assigned_logs_one_warning_line_on_the_page_and_the_api(world, caplog):
    other = DocumentFactory(project=world.project)
    annotator = world.users["annotator"]
    page = reverse("projects:workbench", args=[world.project.pk, other.pk])
    api = reverse("api:annotation", kwargs={"project_id": world.project.pk,
                                            "document_id": other.pk})
    with caplog.at_level(logging.INFO):
        assert page_client_for(annotator).get(page).status_code == 403
        assert api_client_for(annotator).get(api).status_code == 403
    records = _request_records(caplog)
    assert [r.levelno for r in records] == [logging.WARNING, logging.WARNING]
    assert all(r.exc_info is None for r in records)
    assert "Traceback" not in caplog.text


def _record(status: int) -> logging.LogRecord:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Failed: %s",
                               ("/x/",), exc_info)
    record.status_code = status
    return record


@pytest.mark.parametrize("status", [400, 403, 404, 409])
def test_the_filter_drops_the_traceback_of_a_client_error(status):
    record = _record(status)
    assert ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is None
    assert record.getMessage() == "Failed: /x/"


def test_the_filter_keeps_the_traceback_of_a_server_error():
    record = _record(500)
    assert ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is not None
