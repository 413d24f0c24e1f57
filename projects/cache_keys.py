"""Cache keys shared by the services that change data and the selectors that cache it."""


def label_schema(project_id: int) -> str:
    return f"label-schema:v1:{project_id}"
