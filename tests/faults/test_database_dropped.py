"""PostgreSQL drops the app's connection (a restart, a failover, pg_terminate_backend): the
next request reconnects by itself, and a request whose connection dies mid-way is answered
503 with the API's JSON error and Retry-After, which the workbench's save module retries; a
page gets templates/503.html, an htmx request a notice htmx swaps in (config/faults.py).

Requests go through Django's own WSGIHandler (werkzeug's test client), not django.test.Client,
since the test client turns off close_old_connections, the part of a request that notices a
dead persistent connection (CONN_MAX_AGE with CONN_HEALTH_CHECKS) and opens a new one.
"""

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client as DjangoClient
from django.urls import reverse
from rest_framework.authtoken.models import Token
from werkzeug.test import Client

from annotation import selectors as annotation_selectors
from annotation.models import Annotation
from annotation.services import annotations as save_path  # annotation_write, parse_content
from annotation.views import documents as documents_views
from projects import selectors as project_selectors
from projects.models import Job
from tests.factories import AssignmentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                       reason="terminates a PostgreSQL backend (DATABASE_URL)"),
]
CONTENT = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"}],
           "relations": [], "sentiment": "positive"}


def terminate_backend(pid: int) -> None:
    """Kill a backend from a second connection, and wait until it is gone."""
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def app(world, settings):
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60  # a persistent connection, as deployed
    settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    annotator = world.users["annotator"]
    AssignmentFactory(project=world.project, document=world.document, annotator=annotator)
    token, _ = Token.objects.get_or_create(user=annotator)
    client = Client(WSGIHandler())
    headers = {"Authorization": f"Token {token.key}", "Host": "testserver"}
    url = reverse("api:annotation", kwargs={"project_id": world.project.pk,
                                            "document_id": world.document.pk})
    return client, headers, url


def test_a_connection_killed_between_requests_is_replaced(app):
    client, headers, url = app
    assert client.get(url, headers=headers).status_code == 200
    first = backend_pid()  # the persistent connection the request used, still open
    terminate_backend(first)
    again = client.get(url, headers=headers)
    assert again.status_code == 200, again.get_data(as_text=True)
    assert again.json["version"] == 0
    assert backend_pid() != first
    saved = client.put(url, json={**CONTENT, "status": "draft", "version": 0}, headers=headers)
    assert saved.status_code == 200, saved.get_data(as_text=True)


def test_a_save_whose_connection_dies_is_a_503_and_the_retry_saves(app, monkeypatch):
    client, headers, url = app
    real = save_path.parse_content

    def parse_then_lose_the_database(*args, **kwargs):  # mid-save, inside its transaction
        terminate_backend(backend_pid())
        return real(*args, **kwargs)

    monkeypatch.setattr(save_path, "parse_content", parse_then_lose_the_database)
    body = {**CONTENT, "status": "draft", "version": 0}
    lost = client.put(url, json=body, headers=headers)
    assert lost.status_code == 503, lost.get_data(as_text=True)
    assert lost.headers["Retry-After"] == "5"
    assert lost.json == {"detail": "The database is unavailable; try again.", "errors": []}
    assert not Annotation.objects.exists()  # rolled back: nothing half-saved

    monkeypatch.setattr(save_path, "parse_content", real)
    retried = client.put(url, json=body, headers=headers)  # what save.js does on a 5xx
    assert retried.status_code == 200, retried.get_data(as_text=True)
    assert retried.json["version"] == 1
    assert Annotation.objects.get().version == 1


# Pages and htmx fragments: the same 503 with Retry-After, as HTML (config/faults.py).

LEAKS = ("Traceback", "OperationalError", "InterfaceError", "terminating connection",
         "psycopg", "server closed")


@pytest.fixture
def pages(world, settings):
    """A werkzeug client with a signed-in session, for each of the world's users."""
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60
    settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    AssignmentFactory(project=world.project, document=world.document,
                      annotator=world.users["annotator"])

    def browser(role: str) -> tuple[Client, dict]:
        signed_in = DjangoClient()
        signed_in.force_login(world.users[role])
        client = Client(WSGIHandler())
        client.set_cookie(settings.SESSION_COOKIE_NAME,
                          signed_in.cookies[settings.SESSION_COOKIE_NAME].value,
                          domain="testserver")
        return client, {"Host": "testserver"}

    yield browser
    connection.close()  # werkzeug does not end the last request: drop its dead connection


def lose_the_database_in(monkeypatch, module, name: str) -> None:
    """`module.name` kills the request's connection, then runs (and fails) as usual."""
    real = getattr(module, name)

    def then_lose(*args, **kwargs):
        terminate_backend(backend_pid())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, then_lose)


def assert_unavailable(response, *, fragment: bool) -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Content-Type"].startswith("text/html")
    assert "could not be reached for a moment" in body
    assert ("<html" in body) is not fragment
    for leak in LEAKS:
        assert leak not in body
    return body


def test_a_page_whose_connection_dies_is_a_503_page_and_the_next_request_succeeds(
        pages, world, monkeypatch):
    client, headers = pages("annotator")
    url = reverse("projects:workbench", args=[world.project.pk, world.document.pk])
    lose_the_database_in(monkeypatch, annotation_selectors, "progress_of")
    body = assert_unavailable(client.get(url, headers=headers), fragment=False)
    assert "<h1>Temporarily unavailable</h1>" in body
    assert "annotator-user" in body  # the user the request had loaded, without a query
    assert 'id="service-notice"' in body  # the base layout, rendered without the database

    monkeypatch.undo()
    again = client.get(url, headers=headers)
    assert again.status_code == 200, again.get_data(as_text=True)
    assert world.document.external_id in again.get_data(as_text=True)


def test_an_htmx_fragment_whose_connection_dies_is_a_503_notice_htmx_swaps(
        pages, world, monkeypatch):
    client, headers = pages("manager")
    url = reverse("projects:documents", args=[world.project.pk]) + "?status=new"
    lose_the_database_in(monkeypatch, documents_views, "documents_page")
    lost = client.get(url, headers={**headers, "HX-Request": "true"})
    body = assert_unavailable(lost, fragment=True)
    assert body.startswith('<p class="service-notice"')
    # base.html lets htmx swap a 503: into the page's notice, leaving the table and URL alone
    assert lost.headers["HX-Retarget"] == "#service-notice"
    assert lost.headers["HX-Reswap"] == "innerHTML"
    assert lost.headers["HX-Push-Url"] == "false"

    monkeypatch.undo()
    again = client.get(url, headers={**headers, "HX-Request": "true"})
    assert again.status_code == 200, again.get_data(as_text=True)
    assert 'id="document-table"' in again.get_data(as_text=True)


def test_a_polled_fragment_whose_connection_dies_is_a_503_notice(pages, world, monkeypatch):
    client, headers = pages("manager")
    job = Job.objects.create(project=world.project, kind="import",
                             created_by=world.users["manager"])
    lose_the_database_in(monkeypatch, project_selectors, "job_get")
    lost = client.get(reverse("projects:job", args=[job.pk]),
                      headers={**headers, "HX-Request": "true"})
    assert_unavailable(lost, fragment=True)


def test_other_errors_in_a_page_stay_500s(pages, world, monkeypatch):
    """Only a lost connection is a 503: a bug is still a 500, logged, with no Retry-After."""
    client, headers = pages("manager")

    def broken(**kwargs):
        raise ValueError("a bug, not the database")

    monkeypatch.setattr(documents_views, "documents_page", broken)
    url = reverse("projects:documents", args=[world.project.pk])
    for extra in ({}, {"HX-Request": "true"}):
        failed = client.get(url, headers={**headers, **extra})
        assert failed.status_code == 500
        assert "Retry-After" not in failed.headers
        assert "a bug, not the database" not in failed.get_data(as_text=True)


class LoseTheDatabaseBeforeTheView:
    """A middleware whose query fails: outside any view, so handler500 maps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        terminate_backend(backend_pid())
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return self.get_response(request)


def test_a_lost_connection_outside_a_view_is_a_503_too(pages, world, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE,
                           f"{__name__}.{LoseTheDatabaseBeforeTheView.__name__}"]
    client, headers = pages("manager")  # a new WSGIHandler: it loads the middleware above
    url = reverse("projects:documents", args=[world.project.pk])
    assert_unavailable(client.get(url, headers=headers), fragment=False)
    api = client.get(reverse("api:annotation", kwargs={
        "project_id": world.project.pk, "document_id": world.document.pk}), headers=headers)
    assert api.status_code == 503
    assert api.json == {"detail": "The database is unavailable; try again.", "errors": []}
