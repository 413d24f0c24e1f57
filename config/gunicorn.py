"""gunicorn settings for production (Dockerfile, docker-compose.yml) and the bench.

Threaded workers (`gthread`): a request runs in a thread while the worker's main loop keeps
telling the arbiter it is alive, so `timeout` no longer kills a worker whose response is
still streaming (a 1,000,000-document export streams for over a minute; with sync workers the
arbiter cut it off at `timeout`). Overrides: GUNICORN_WORKERS, GUNICORN_THREADS,
GUNICORN_TIMEOUT, or any gunicorn flag on the command line.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
