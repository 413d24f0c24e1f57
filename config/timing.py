"""An opt-in `Server-Timing: app;dur=<ms>, cpu;dur=<ms>` header: the app's own time for
each request, and the CPU time its process used meanwhile.

Turned on by CONCORD_SERVER_TIMING=1 (the bench sets it, bench/env.py), off by default: the
header tells any client how long its requests take on the server. The middleware comes
first in MIDDLEWARE, so the time covers every other middleware, the view and its template
(a template response is rendered before the middleware sees it). A streaming response's
body is produced after the header is sent, so its time is not in it.

`app` is wall time: on a busy machine it includes waiting for a CPU and for the database.
`cpu` is the process's CPU time over the request (the database's is not in it); it is the
request's own only where a process serves one request at a time, as gunicorn's sync workers
do (the bench's server), not under a threaded server.
"""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

HEADER = "Server-Timing"


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started, cpu = time.perf_counter(), time.process_time()
        response = self.get_response(request)
        entry = (f"app;dur={(time.perf_counter() - started) * 1000:.1f}, "
                 f"cpu;dur={(time.process_time() - cpu) * 1000:.1f}")
        earlier = response.get(HEADER)
        response[HEADER] = f"{earlier}, {entry}" if earlier else entry
        return response
