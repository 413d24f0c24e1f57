"""PostgreSQL drops the app's connection (a restart, a failover, pg_terminate_backend): the
next request reconnects by itself, and a request whose connection dies mid-way is answered
503 with the API's JSON error and Retry-After, which the workbench's save module retries.

Requests go through Django's own WSGIHandler (werkzeug's test client), not django.test.Client,
since the test client turns off close_old_connections, the part of a request that notices a
dead persistent connection (CONN_MAX_AGE with CONN_HEALTH_CHECKS) and opens a new one.
"""

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token
from werkzeug.test import Client

from annotation.models import Annotation
from annotation.services import assignments
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
    real = assignments.parse_content

    def parse_then_lose_the_database(document, content):  # mid-save, inside its transaction
        terminate_backend(backend_pid())
        return real(document, content)

    monkeypatch.setattr(assignments, "parse_content", parse_then_lose_the_database)
    body = {**CONTENT, "status": "draft", "version": 0}
    lost = client.put(url, json=body, headers=headers)
    assert lost.status_code == 503, lost.get_data(as_text=True)
    assert lost.headers["Retry-After"] == "5"
    assert lost.json == {"detail": "The database is unavailable; try again.", "errors": []}
    assert not Annotation.objects.exists()  # rolled back: nothing half-saved

    monkeypatch.setattr(assignments, "parse_content", real)
    retried = client.put(url, json=body, headers=headers)  # what save.js does on a 5xx
    assert retried.status_code == 200, retried.get_data(as_text=True)
    assert retried.json["version"] == 1
    assert Annotation.objects.get().version == 1
