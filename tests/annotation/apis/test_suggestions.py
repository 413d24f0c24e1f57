"""The agents' suggestions where the annotator meets them: next carries them (with agent,
model version and score; switched-off agents and low scores hidden) in one query, the
suggestions endpoint shows them to those who may see the document, and decisions on them
are recorded (accept rate)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotation.models import Agent, Suggestion, SuggestionDecision
from annotation.selectors.agents import accept_rates
from tests.conftest import api_client_for
from tests.factories import AssignmentFactory, DocumentFactory

pytestmark = pytest.mark.django_db
# the world document: "Alice joined 阿里巴巴 in 2019 🎉"


def suggest(world, document=None, *, agent="crf", active=True):
    """An agent with an entity, a relation and a sentiment suggestion on the document, and
    one entity scored under the project's minimum (0.3)."""
    agent, _ = Agent.objects.get_or_create(project=world.project, name=agent,
                                           defaults={"kind": "crf", "active": active})
    common = {"project": world.project, "document": document or world.document,
              "agent": agent, "model_version": "3"}
    Suggestion.objects.bulk_create([
        Suggestion(**common, kind="entity", label=world.labels["PER"], start=0, end=5,
                   score=0.8),
        Suggestion(**common, kind="entity", label=world.labels["ORG"], start=13, end=17,
                   score=0.9),
        Suggestion(**common, kind="entity", label=world.labels["ORG"], start=21, end=25,
                   score=0.1),  # under the minimum
        Suggestion(**common, kind="relation", label=world.labels["works_for"], start=0, end=5,
                   tail_start=13, tail_end=17, score=0.6),
        Suggestion(**common, kind="sentiment", label=world.labels["positive"], score=0.7)])
    return agent


def next_url(world):
    return reverse("api:next", kwargs={"project_id": world.project.pk})


def suggestions_url(world, document=None):
    return reverse("api:suggestions", kwargs={"project_id": world.project.pk,
                                              "document_id": (document or world.document).pk})


def test_next_carries_the_suggestions_with_agent_version_and_score(world):
    suggest(world)
    data = api_client_for(world.users["annotator"]).get(next_url(world)).json()
    assert data["document"]["id"] == world.document.pk
    assert data["predictions"] == {
        "entities": [
            {"start": 0, "end": 5, "text": "Alice", "label": "PER", "agent": "crf",
             "model_version": "3", "score": 0.8},
            {"start": 13, "end": 17, "text": "阿里巴巴", "label": "ORG", "agent": "crf",
             "model_version": "3", "score": 0.9}],
        "relations": [{"head": {"start": 0, "end": 5}, "tail": {"start": 13, "end": 17},
                       "label": "works_for", "agent": "crf", "model_version": "3",
                       "score": 0.6}],
        "sentiment": [{"label": "positive", "agent": "crf", "model_version": "3",
                       "score": 0.7}]}


def test_next_hides_switched_off_agents_and_low_scores(world):
    suggest(world, active=False)
    world.project.suggestion_min_score = 0.0
    world.project.save(update_fields=["suggestion_min_score"])
    data = api_client_for(world.users["annotator"]).get(next_url(world)).json()
    assert data["predictions"] is None  # none left to show
    Agent.objects.filter(name="crf").update(active=True)
    world.project.suggestion_min_score = 0.85
    world.project.save(update_fields=["suggestion_min_score"])
    data = api_client_for(world.users["annotator"]).get(next_url(world)).json()  # resumed
    assert [e["text"] for e in data["predictions"]["entities"]] == ["阿里巴巴"]
    assert data["predictions"]["relations"] == data["predictions"]["sentiment"] == []


def test_next_reads_the_suggestions_in_one_query_however_many(world):
    agent = suggest(world)
    Suggestion.objects.bulk_create([
        Suggestion(project=world.project, document=world.document, agent=agent,
                   kind="entity", label=world.labels["PER"], start=i, end=i + 1, score=0.5)
        for i in range(5, 12)])
    table = Suggestion._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        data = api_client_for(world.users["annotator"]).get(next_url(world)).json()
    assert len(data["predictions"]["entities"]) == 9
    touching = [q["sql"] for q in queries.captured_queries if f'"{table}"' in q["sql"]]
    assert len(touching) == 1, touching
    assert '"document_id" =' in touching[0]  # the (document, agent) index


def test_who_may_read_the_suggestions_endpoint(world):
    suggest(world)
    other = DocumentFactory(project=world.project, text="Bob")
    AssignmentFactory(document=world.document, annotator=world.users["annotator"])
    outsider = api_client_for(world.users["outsider"])
    assert outsider.get(suggestions_url(world)).status_code == 404
    assert outsider.post(suggestions_url(world), {"decisions": []},
                         format="json").status_code == 404
    annotator = api_client_for(world.users["annotator"])
    mine = annotator.get(suggestions_url(world))
    assert mine.status_code == 200
    assert [e["text"] for e in mine.json()["entities"]] == ["Alice", "阿里巴巴"]
    assert annotator.get(suggestions_url(world, other)).status_code == 403
    reviewer = api_client_for(world.users["reviewer"])
    assert reviewer.get(suggestions_url(world, other)).status_code == 200
    assert reviewer.get(suggestions_url(world)).status_code == 200


def test_decisions_are_recorded_and_give_the_accept_rate(world):
    agent = suggest(world)
    annotator = world.users["annotator"]
    AssignmentFactory(document=world.document, annotator=annotator)
    client = api_client_for(annotator)
    response = client.post(suggestions_url(world), {"decisions": [
        {"agent": "crf", "kind": "entity", "label": "PER", "decision": "accepted",
         "start": 0, "end": 5},
        {"agent": "crf", "kind": "entity", "label": "ORG", "decision": "rejected",
         "start": 13, "end": 17},
        {"agent": "crf", "kind": "sentiment", "label": "positive", "decision": "accepted"},
        {"agent": "crf", "kind": "relation", "label": "works_for", "decision": "accepted",
         "start": 0, "end": 5, "tail_start": 13, "tail_end": 17}]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"recorded": 4}
    rows = SuggestionDecision.objects.filter(user=annotator).order_by("kind", "start")
    assert [(r.kind, r.label.name, r.decision, r.score, r.model_version) for r in rows] == [
        ("entity", "PER", "accepted", 0.8, "3"), ("entity", "ORG", "rejected", 0.9, "3"),
        ("relation", "works_for", "accepted", 0.6, "3"),
        ("sentiment", "positive", "accepted", 0.7, "3")]
    # a later decision on the same suggestion replaces the earlier one
    client.post(suggestions_url(world), {"decisions": [
        {"agent": "crf", "kind": "entity", "label": "ORG", "decision": "accepted",
         "start": 13, "end": 17}]}, format="json")
    assert SuggestionDecision.objects.filter(user=annotator).count() == 4
    rate = accept_rates(project=world.project)[agent.pk]
    assert (rate["rate"], rate["decisions"]) == (1.0, 4)
    client.post(suggestions_url(world), {"decisions": [
        {"agent": "crf", "kind": "entity", "label": "PER", "decision": "rejected",
         "start": 0, "end": 5}]}, format="json")
    rate = accept_rates(project=world.project)[agent.pk]
    assert (rate["rate"], rate["per_label"]["PER"]) == (0.75, {"rate": 0.0, "decisions": 1})


def test_a_decision_naming_an_unknown_agent_is_refused(world):
    suggest(world)
    AssignmentFactory(document=world.document, annotator=world.users["annotator"])
    response = api_client_for(world.users["annotator"]).post(suggestions_url(world), {
        "decisions": [{"agent": "nobody", "kind": "entity", "label": "PER",
                       "decision": "accepted", "start": 0, "end": 5}]}, format="json")
    assert response.status_code == 400
    assert SuggestionDecision.objects.count() == 0
