"""Deployment checks (`manage.py check --deploy`), also reported when the web server starts.

With DEBUG off, static files are served from STATIC_ROOT under hashed names read from the
manifest that `collectstatic` writes (config.storage.StaticStorage). Without it, or with a file
added since, every page that links a stylesheet or a script answers 500 ("Missing
staticfiles manifest entry"). This check names what is missing.
"""

import logging
import os
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.files.storage import storages
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
HINT = "Run `manage.py collectstatic --noinput` with the production settings."


def found_static_names() -> set[str]:
    """Every file the finders would collect, named as in the manifest."""
    ignore = apps.get_app_config("staticfiles").ignore_patterns  # type: ignore[attr-defined]
    names = set()
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore):
            prefix = getattr(storage, "prefix", None)
            names.add((os.path.join(prefix, path) if prefix else path).replace(os.sep, "/"))
    return names


def static_files_problems() -> list[CheckMessage]:
    """What keeps the hashed static files from being served: no manifest in STATIC_ROOT, or
    files the finders see that it does not list. Nothing when the storage keeps no manifest
    (DEBUG serves the source files)."""
    params = settings.STORAGES["staticfiles"]
    if not issubclass(import_string(params["BACKEND"]), ManifestFilesMixin):
        return []
    root = settings.STATIC_ROOT
    try:  # a storage of our own: it reads the manifest now
        storage = storages.create_storage(params)
    except ValueError as error:  # the manifest is not JSON, or of another version
        return [Error(f"Static files are not collected: {error} in {root}.", hint=HINT,
                      id="concord.E001")]
    if storage.read_manifest() is None:
        return [Error(f"Static files are not collected: {root} has no {storage.manifest_name}, "
                      "so every page answers 500.", hint=HINT, id="concord.E001")]
    listed = set(storage.hashed_files)
    missing = sorted(found_static_names() - listed)
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        return [Error(f"Static files are not collected: {len(missing)} file(s) are missing "
                      f"from the manifest in {root} ({shown}); pages that use them answer 500.",
                      hint=HINT, id="concord.E002")]
    return []


@register(Tags.staticfiles, deploy=True)
def check_static_files_collected(app_configs: Sequence[AppConfig] | None = None,
                                 **kwargs: Any) -> list[CheckMessage]:
    return static_files_problems()


def report_at_start() -> None:
    """The web server's start (config/wsgi.py): log each problem; the server still starts, as
    the API does not need static files."""
    for problem in static_files_problems():
        logger.error("%s %s", problem.msg, problem.hint)
