"""next_data builds the next-document answer without DRF's nested serializers; it must give
exactly what NextOutput gives, which the API schema describes."""

import json

import pytest

from annotation import selectors
from annotation.models import Agent, Suggestion
from annotation.serializers import NextOutput, next_data
from annotation.services.assignments import assignment_next
from annotation.services.store import annotation_save

pytestmark = pytest.mark.django_db
DRAFT = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                      {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
         "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
         "sentiment": "positive"}


def _suggest(world):
    """The agents' suggestions (once imported predictions): an entity, a relation, a
    sentiment."""
    agent = Agent.objects.create(project=world.project, name="crf", kind="crf", active=True)
    common = {"project": world.project, "document": world.document, "agent": agent,
              "model_version": "3"}
    Suggestion.objects.bulk_create([
        Suggestion(**common, kind="entity", label=world.labels["ORG"], start=13, end=17,
                   score=0.9),
        Suggestion(**common, kind="relation", label=world.labels["works_for"], start=0, end=5,
                   tail_start=13, tail_end=17, score=0.5),
        Suggestion(**common, kind="sentiment", label=world.labels["positive"], score=1)])


def _answer(world):
    annotator = world.users["annotator"]
    assignment = assignment_next(project=world.project, user=annotator)
    assert assignment is not None
    return selectors.next_answer(assignment=assignment, project=world.project, user=annotator)


def _same(answer):
    built, serialized = next_data(answer), NextOutput(answer).data
    assert built == serialized
    assert json.dumps(built, ensure_ascii=False) == json.dumps(serialized, ensure_ascii=False)
    return built


def test_a_fresh_document_answers_as_the_serializer_does(world):
    data = _same(_answer(world))
    assert data["annotation"] == {"entities": [], "relations": [], "sentiment": None,
                                  "status": "draft", "version": 0, "seconds_spent": 0.0}
    assert data["predictions"] is None
    assert data["expires_at"].endswith("Z")


def test_a_resumed_draft_with_predictions_answers_as_the_serializer_does(world):
    world.document.meta = {"source": "wire", "n": 3}
    world.document.save(update_fields=["meta"])
    _suggest(world)
    _answer(world)
    annotation_save(document=world.document, content=DRAFT, annotator=world.users["annotator"],
                    version=0, seconds_spent=12.5)
    data = _same(_answer(world))  # the open lease, resumed
    assert [e["text"] for e in data["annotation"]["entities"]] == ["Alice", "阿里巴巴"]
    assert data["annotation"]["relations"] == [{"head": "T1", "tail": "T2",
                                                "label": "works_for"}]
    assert (data["annotation"]["version"], data["annotation"]["seconds_spent"]) == (1, 12.5)
    assert data["predictions"] == {
        "entities": [{"start": 13, "end": 17, "text": "阿里巴巴", "label": "ORG",
                      "agent": "crf", "model_version": "3", "score": 0.9}],
        "relations": [{"head": {"start": 0, "end": 5}, "tail": {"start": 13, "end": 17},
                       "label": "works_for", "agent": "crf", "model_version": "3",
                       "score": 0.5}],
        "sentiment": [{"label": "positive", "agent": "crf", "model_version": "3",
                       "score": 1.0}]}
    assert data["document"]["meta"] == {"source": "wire", "n": 3}


def test_multi_label_sentiment_answers_as_the_serializer_does(world):
    world.project.sentiment_multi_label = True
    world.project.save(update_fields=["sentiment_multi_label"])
    _answer(world)
    annotation_save(document=world.document, annotator=world.users["annotator"], version=0,
                    content={**DRAFT, "sentiment": ["positive", "negative"]})
    assert _same(_answer(world))["annotation"]["sentiment"] == ["positive", "negative"]
