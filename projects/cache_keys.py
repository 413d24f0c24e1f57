"""Cache keys shared by the services that change data and the selectors that cache it."""


def job_progress(job_id: int) -> str:
    """A running job's latest progress, written at every step without touching its row."""
    return f"job-progress:{job_id}"


def label_schema(project_id: int) -> str:
    return f"label-schema:v1:{project_id}"
