"""Opening a document that is not assigned to you says so (403), on the workbench page and
in the API; a role without the right still hears about its role."""

import pytest
from django.urls import reverse

from annotation.apis import labeling
from annotation.views import labeling as labeling_views
from tests.conftest import api_client_for, page_client_for
from tests.factories import DocumentFactory

NOT_ASSIGNED = "This document is not assigned to you."


def _urls(world, document) -> tuple[str, str]:
    page = reverse("projects:workbench", args=[world.project.pk, document.pk])
    api = reverse("api:annotation", kwargs={"project_id": world.project.pk,
                                            "document_id": document.pk})
    return page, api


@pytest.mark.parametrize("role", ["annotator", "reviewer", "manager"])
def test_the_workbench_of_a_document_not_assigned_says_so(world, role):
    page, _ = _urls(world, DocumentFactory(project=world.project))
    response = page_client_for(world.users[role]).get(page)
    assert response.status_code == 403
    html = response.content.decode()
    assert NOT_ASSIGNED in html
    assert "Your role" not in html


@pytest.mark.parametrize("method", ["get", "put"])
def test_the_api_annotation_of_a_document_not_assigned_says_so(world, method):
    _, api = _urls(world, DocumentFactory(project=world.project))
    client = api_client_for(world.users["annotator"])
    if method == "get":
        response = client.get(api)
    else:
        response = client.put(api, {"entities": [], "relations": [], "sentiment": None,
                                    "version": 0}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": NOT_ASSIGNED, "errors": [
        {"field": "document", "message": "not assigned to you"}]}


def test_the_not_assigned_messages_go_through_gettext(world, monkeypatch):
    marked = "«{}»".format
    monkeypatch.setattr(labeling_views, "_", marked)
    monkeypatch.setattr(labeling, "_", marked)
    page, api = _urls(world, DocumentFactory(project=world.project))
    annotator = world.users["annotator"]
    assert marked(NOT_ASSIGNED) in page_client_for(annotator).get(page).content.decode()
    assert api_client_for(annotator).get(api).json()["detail"] == marked(NOT_ASSIGNED)


def test_a_role_without_the_right_hears_about_its_role(world):
    page, api = _urls(world, DocumentFactory(project=world.project))
    consumer = world.users["consumer"]
    response = page_client_for(consumer).get(page)
    assert response.status_code == 403
    assert "Your role (consumer) may not do this." in response.content.decode()
    assert NOT_ASSIGNED not in response.content.decode()
    assert api_client_for(consumer).get(api).json()["detail"] == (
        "Your role (consumer) may not do this.")
