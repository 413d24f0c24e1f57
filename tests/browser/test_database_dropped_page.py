"""An htmx request that lost the database (a 503 from config/faults.py): the page shows the
notice in #service-notice, keeps what it showed and its address, and the next request that
succeeds clears the notice (base.html's htmx responseHandling, static/js/app.js)."""

import pytest
from django.conf import settings
from django.urls import reverse

from annotation.views import documents as documents_views
from tests.browser.conftest import log_in
from tests.faults.test_database_dropped import backend_pid, terminate_backend

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                       reason="terminates a PostgreSQL backend (DATABASE_URL)"),
]


def test_an_htmx_request_that_lost_the_database_shows_a_notice(world, page, monkeypatch):
    real = documents_views.documents_page
    calls: list[int] = []

    def lose_the_database_once(**kwargs):  # in the live server's thread
        calls.append(1)
        if len(calls) == 2:  # the first htmx request, after the page itself
            terminate_backend(backend_pid())
        return real(**kwargs)

    monkeypatch.setattr(documents_views, "documents_page", lose_the_database_once)
    log_in(page, world.users["manager"].username)
    url = reverse("projects:documents", args=[world.project.pk])
    page.goto(url)
    notice = page.locator("#service-notice")
    assert notice.is_hidden()  # empty: no room taken
    table = page.locator("#document-table").inner_html()

    page.get_by_role("link", name="New", exact=True).click()
    notice.locator(".service-notice").wait_for()
    assert "could not be reached for a moment" in notice.inner_text()
    assert page.locator("#document-table").inner_html() == table  # nothing swapped away
    assert page.url.endswith(url)  # the failed request's address was not pushed
    refused = [e for e in page.console_errors if "503" in e or "htmx:responseError" in e]
    assert refused, page.console_errors  # Chromium and htmx report the refused request
    for error in refused:
        page.console_errors.remove(error)

    page.get_by_role("link", name="New", exact=True).click()  # the retry succeeds
    page.wait_for_url("**?status=new")
    assert notice.locator(".service-notice").count() == 0
    assert len(calls) == 3
