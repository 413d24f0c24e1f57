"""Logging filters (settings.LOGGING)."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx answer is logged as its one warning line, without the exception's traceback.

    Django's `django.request` logger logs a view's PermissionDenied (and a bad request body)
    with the exception (`exc_info`), so the console printed a full traceback for every 403,
    which reads like a crash. A 4xx is the client's business; a 5xx keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
