"""Errors that services raise; the API and the pages turn them into responses."""


class ServiceError(Exception):
    """Bad input: a 400 with a list of {field, message} errors."""

    status_code = 400

    def __init__(self, detail: str, errors: list[dict] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    @classmethod
    def field(cls, field: str, message: str) -> "ServiceError":
        return cls(message, [{"field": field, "message": message}])


class Conflict(ServiceError):
    """The request clashes with the stored state (a stale version, a label in use): 409."""

    status_code = 409
