"""Cache keys shared by the services that change data and the selectors that cache it."""


def job_progress(job_id: int) -> str:
    """A running job's latest progress, written at every step without touching its row."""
    return f"job-progress:{job_id}"


def label_schema(project_id: int) -> str:
    return f"label-schema:v1:{project_id}"


def preferred_language(user_id: int) -> str:
    """The interface language a user saved ("" for none), read on every page."""
    return f"preferred-language:{user_id}"


PREFERENCE_SECONDS = 3600
