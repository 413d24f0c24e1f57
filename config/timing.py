"""An opt-in `Server-Timing: app;dur=<ms>, cpu;dur=<ms>, db;dur=<ms>;desc="<n> queries"`
header: the app's own time for each request, the CPU time its process used meanwhile, and
the SQL statements it ran on the default database with the time spent in them.

Turned on by CONCORD_SERVER_TIMING=1 (the bench sets it, bench/env.py), off by default: the
header tells any client how long its requests take on the server. The middleware comes
first in MIDDLEWARE, so the time covers every other middleware, the view and its template
(a template response is rendered before the middleware sees it). A streaming response's
body is produced after the header is sent, so its time is not in it.

`app` is wall time: on a busy machine it includes waiting for a CPU and for the database.
`cpu` is the process's CPU time over the request (the database's is not in it); it is the
request's own only where a process serves one request at a time, as gunicorn's sync workers
do (the bench's server), not under a threaded server. `db` counts every statement executed
on this thread's connection during the request (Django's `execute_wrapper`, which works
with DEBUG off), with the wall time from sending it to its result; fetching the rows of a
server-side cursor after that is not in it.
"""

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponseBase

HEADER = "Server-Timing"


class QueryCounter:
    """An execute wrapper: how many statements ran, and the seconds spent in them."""

    def __init__(self) -> None:
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool,
                 context: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        queries = QueryCounter()
        started, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        entry = (f"app;dur={(time.perf_counter() - started) * 1000:.1f}, "
                 f"cpu;dur={(time.process_time() - cpu) * 1000:.1f}, "
                 f'db;dur={queries.seconds * 1000:.1f};desc="{queries.count} queries"')
        earlier = response.get(HEADER)
        response[HEADER] = f"{earlier}, {entry}" if earlier else entry
        return response
