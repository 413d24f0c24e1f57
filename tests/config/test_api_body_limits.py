"""A body over Django's in-memory bound is a JSON 413 that names the setting, on every API
operation that takes one (config/api/errors.py), never Django's HTML 400 page."""

import json

import pytest
from django.urls import reverse

from config.api.schema import _codes
from tests.conftest import api_client_for


def test_an_annotation_body_over_the_bound_is_a_json_413(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = api_client_for(world.users["annotator"])
    doc = client.get(reverse("api:next", kwargs={"project_id": world.project.pk})).json()
    url = reverse("api:annotation", kwargs={"project_id": world.project.pk,
                                            "document_id": doc["document"]["id"]})
    entities = [{"id": f"T{i}", "start": 0, "end": 1, "label": "PER"} for i in range(500)]
    response = client.put(url, json.dumps({"entities": entities, "relations": [],
                                           "sentiment": None, "version": 0}),
                          content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than the server accepts: at most 10,000 bytes "
                  "(setting DATA_UPLOAD_MAX_MEMORY_SIZE). A file goes to the import endpoint.",
        "errors": []}


@pytest.mark.parametrize(("method", "body", "documented"), [
    ("put", {"content": {"application/json": {}}}, True),
    ("post", {"content": {"multipart/form-data": {}}}, True),
    ("post", None, False),
    ("get", None, False),
])
def test_the_schema_documents_413_for_every_operation_with_a_body(method, body, documented):
    operation = {} if body is None else {"requestBody": body}
    assert ("413" in _codes(method, operation)) is documented
