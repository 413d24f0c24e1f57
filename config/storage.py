from collections.abc import Callable
from re import Match
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage, MissingFileError


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files, with `import ... from "./x.js"` in our ES modules
    rewritten to the hashed names too, so a module graph is cached and fetched once.

    Third-party bundles may mention modules only in comments (django-htmx's extensions
    carry JSDoc `import("../htmx")` types); those references are left as they are.
    """

    support_js_module_import_aggregation = True

    def url_converter(self, name: str, hashed_files: Any, template: str | None = None
                      ) -> Callable[[Match[str]], str]:
        convert = super().url_converter(name, hashed_files, template)
        if not name.startswith("django_htmx/"):
            return convert

        def lenient(match: Match[str]) -> str:
            try:
                return convert(match)
            except (MissingFileError, ValueError):
                return match.group(0)

        return lenient
