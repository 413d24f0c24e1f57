"""0010: prediction annotations become suggestions of each project's agent `imported`."""

import importlib

from django.apps import apps

from annotation.models import (
    Agent,
    AgentKind,
    Annotation,
    AnnotationKind,
    Relation,
    SentimentChoice,
    Span,
    Suggestion,
)
from annotation.services.store import annotation_save
from tests.factories import DocumentFactory

migration = importlib.import_module("annotation.migrations.0010_predictions_to_suggestions")


def test_prediction_annotations_move_to_suggestions(world):
    text = world.document.text
    a, b = text.index("Alice"), text.index("阿里巴巴")
    content = {"entities": [{"id": "T1", "start": a, "end": a + 5, "label": "PER"},
                            {"id": "T2", "start": b, "end": b + 4, "label": "ORG"}],
               "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
               "sentiment": "positive"}
    annotation_save(document=world.document, content=content, annotator=None,
                    kind=AnnotationKind.PREDICTION)
    other = DocumentFactory(project=world.project, text="Alice again")
    annotation_save(document=other, content={"entities": [
        {"start": 0, "end": 5, "label": "PER"}]}, annotator=None, kind=AnnotationKind.PREDICTION)
    gold = annotation_save(document=other, content={"entities": [
        {"start": 0, "end": 5, "label": "PER"}]}, annotator=None, kind=AnnotationKind.GOLD)

    migration.forward(apps, None)

    assert not Annotation.objects.filter(kind=AnnotationKind.PREDICTION).exists()
    assert Annotation.objects.filter(pk=gold.pk).exists()  # the rest stays
    assert Span.objects.filter(annotation__kind=AnnotationKind.GOLD).count() == 1
    assert not Relation.objects.exists()
    assert not SentimentChoice.objects.filter(
        annotation__document=world.document).exists()
    agent = Agent.objects.get(project=world.project, name="imported")
    assert agent.kind == AgentKind.IMPORTED
    rows = Suggestion.objects.filter(agent=agent).order_by("document_id", "kind", "start")
    assert [(r.document_id, r.kind, r.label.name, r.start, r.end, r.tail_start, r.tail_end,
             r.model_version, r.score) for r in rows] == [
        (world.document.pk, "entity", "PER", a, a + 5, None, None, "", 1.0),
        (world.document.pk, "entity", "ORG", b, b + 4, None, None, "", 1.0),
        (world.document.pk, "relation", "works_for", a, a + 5, b, b + 4, "", 1.0),
        (world.document.pk, "sentiment", "positive", None, None, None, None, "", 1.0),
        (other.pk, "entity", "PER", 0, 5, None, None, "", 1.0)]
    migration.forward(apps, None)  # again: nothing left to move
    assert Suggestion.objects.filter(agent=agent).count() == 5
