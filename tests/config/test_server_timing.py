"""The opt-in Server-Timing header (config/timing.py): off unless CONCORD_SERVER_TIMING is
set; when on, every answer carries the app's wall and CPU time and its SQL statements (count
and time), and a header set earlier is kept."""

import re
import time

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from config.timing import ServerTimingMiddleware
from tests.config.test_settings import settings_value

NAME = "config.timing.ServerTimingMiddleware"
ENTRY = re.compile(r'^app;dur=(\d+\.\d), cpu;dur=(\d+\.\d), db;dur=(\d+\.\d);desc="(\d+) queries"$')


def test_off_by_default_and_first_when_turned_on():
    assert settings_value(f"{NAME!r} in settings.MIDDLEWARE", DJANGO_DEBUG="1") == "False"
    assert settings_value(f"{NAME!r} in settings.MIDDLEWARE", DJANGO_DEBUG="1",
                          CONCORD_SERVER_TIMING="0") == "False"
    assert settings_value("settings.MIDDLEWARE[0]", DJANGO_DEBUG="1",
                          CONCORD_SERVER_TIMING="1") == NAME


@pytest.mark.django_db
def test_no_header_without_the_middleware(client, settings):
    assert NAME not in settings.MIDDLEWARE
    assert "Server-Timing" not in client.get(reverse("healthz"))
    assert "Server-Timing" not in client.get(reverse("login"))


@pytest.mark.django_db
def test_pages_and_api_answers_carry_the_apps_time(client, settings):
    settings.MIDDLEWARE = [NAME, *settings.MIDDLEWARE]
    for url, status in ((reverse("healthz"), 200), (reverse("login"), 200),
                        ("/api/v1/projects/", 401), ("/no-such-page/", 404)):
        response = client.get(url)
        assert response.status_code == status
        assert ENTRY.match(response["Server-Timing"]), response["Server-Timing"]


def test_a_header_set_earlier_is_kept():
    def view(request):
        response = HttpResponse("ok")
        response["Server-Timing"] = "db;dur=2.5"
        return response

    response = ServerTimingMiddleware(view)(RequestFactory().get("/"))
    earlier, ours = response["Server-Timing"].split(", ", 1)
    assert earlier == "db;dur=2.5"
    assert ENTRY.match(ours)


def test_app_is_wall_time_and_cpu_the_process_time():
    def view(request):
        time.sleep(0.02)  # waiting: wall time, no CPU
        return HttpResponse("ok")

    found = ENTRY.match(ServerTimingMiddleware(view)(RequestFactory().get("/"))["Server-Timing"])
    assert found
    app, cpu, _, _ = map(float, found.groups())
    assert app >= 20.0
    assert cpu < app - 10


@pytest.mark.django_db
@pytest.mark.parametrize("count", [0, 1, 3])
def test_db_counts_the_statements_of_the_request_and_their_time(count):
    def view(request):
        with connection.cursor() as cursor:
            for _ in range(count):
                cursor.execute("SELECT 1")
        return HttpResponse("ok")

    found = ENTRY.match(ServerTimingMiddleware(view)(RequestFactory().get("/"))["Server-Timing"])
    assert found
    app, _, db, queries = map(float, found.groups())
    assert queries == count
    assert db <= app
    if count == 0:
        assert db == 0.0
    with connection.cursor() as cursor:  # the wrapper is gone after the request
        cursor.execute("SELECT 1")
    assert connection.execute_wrappers == []
