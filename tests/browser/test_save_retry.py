"""The workbench's save when PostgreSQL drops the server's connection mid-save: the server
answers 503 (config/api/errors.py), save.js retries on its own, and the retry is stored."""

import pytest
from django.conf import settings

from annotation.models import Annotation
from annotation.services import annotations as save_path  # annotation_write, parse_content
from tests.browser.conftest import log_in
from tests.browser.test_workbench import ENGLISH, label_word, open_document, stored, wait_saved
from tests.faults.test_database_dropped import backend_pid, terminate_backend

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                       reason="terminates a PostgreSQL backend (DATABASE_URL)"),
]


def test_a_save_that_lost_the_database_is_retried_and_stored(world, page, monkeypatch):
    annotator = world.users["annotator"]
    real = save_path.parse_content
    calls: list[int] = []

    def lose_the_database_once(*args, **kwargs):  # in the live server's thread
        calls.append(1)
        if len(calls) == 1:
            terminate_backend(backend_pid())
        return real(*args, **kwargs)

    monkeypatch.setattr(save_path, "parse_content", lose_the_database_once)
    log_in(page, annotator.username)
    open_document(page, world, ENGLISH)
    label_word(page, ENGLISH, "Alice Smith", "p")
    wait_saved(page)  # after the retry save.js schedules (1 s after a failure)
    assert len(calls) == 2  # the first PUT got the 503, the second was stored
    refused = [e for e in page.console_errors if "503" in e]
    assert len(refused) == 1, page.console_errors  # Chromium logs the refused fetch
    page.console_errors.remove(refused[0])
    assert [e["text"] for e in stored(world, annotator)["entities"]] == ["Alice Smith"]
    assert Annotation.objects.get(annotator=annotator).version == 1
