import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Say at the start what `check --deploy` would: static files not collected (config/checks.py).
from config.checks import report_at_start  # noqa: E402

report_at_start()

# Import every view now (Django would on the first request), then move everything loaded so
# far out of the garbage collector's reach. A full collection otherwise walks the ~150,000
# objects of the loaded code and stops the worker for 40-60 ms, which the request in flight
# pays (docs/architecture.md, "The labeling hot path"). Under gunicorn --preload this also
# keeps forked workers from copying the pages the collector would touch.
get_resolver().url_patterns  # noqa: B018
gc.collect()
gc.freeze()
