"""The workbench page carries the agents' suggestions (with agent, model version and score),
the keys of those the annotator rejected, and where decisions go."""

import pytest
from django.urls import reverse

from tests.annotation.apis.test_suggestions import suggest, suggestions_url
from tests.conftest import api_client_for, page_client_for
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def test_the_workbench_page_carries_suggestions_and_rejected_ones(world):
    suggest(world)
    annotator = world.users["annotator"]
    AssignmentFactory(document=world.document, annotator=annotator)
    api_client_for(annotator).post(suggestions_url(world), {"decisions": [
        {"agent": "crf", "kind": "entity", "label": "PER", "decision": "rejected",
         "start": 0, "end": 5},
        {"agent": "crf", "kind": "relation", "label": "works_for", "decision": "rejected",
         "start": 0, "end": 5, "tail_start": 13, "tail_end": 17}]}, format="json")
    page = reverse("projects:workbench", args=[world.project.pk, world.document.pk])
    response = page_client_for(annotator).get(page)
    assert response.status_code == 200
    data = response.context["data"]
    assert [(e["label"], e["agent"], e["score"]) for e in data["predictions"]["entities"]] == [
        ("PER", "crf", 0.8), ("ORG", "crf", 0.9)]
    assert data["rejected"] == ["0:5:PER", "rel:0:5:13:17:works_for"]
    assert data["urls"]["suggestions"] == suggestions_url(world)
    assert 'id="suggestion-list"' in response.content.decode()


def test_the_shortcut_sheet_lists_the_suggestion_and_occurrence_keys(world):
    AssignmentFactory(document=world.document, annotator=world.users["annotator"])
    page = reverse("projects:workbench", args=[world.project.pk, world.document.pk])
    html = page_client_for(world.users["annotator"]).get(page).content.decode()
    for line in ("Accept all suggestions", "Reject all suggestions",
                 "Label all occurrences of the selected entity"):
        assert line in html
