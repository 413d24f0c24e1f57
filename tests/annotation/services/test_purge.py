"""cascade_delete: set-based deletes of documents and everything that cascades from them."""

from datetime import timedelta

import pytest
from django.db.models import ForeignObjectRel, ManyToManyRel
from django.utils import timezone

from annotation.models import (
    AgreementReport,
    Annotation,
    Document,
    DocumentDisagreement,
    DocumentPosterior,
    GoldCheckScore,
    Relation,
    Suggestion,
    SuggestionDecision,
)
from annotation.services.agents.registry import agent_ensure
from annotation.services.gold import gold_save
from annotation.services.purge import cascade_delete
from annotation.services.store import annotation_save
from tests.factories import AssignmentFactory, DocumentFactory

pytestmark = pytest.mark.django_db
CONTENT = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                        {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
           "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
           "sentiment": "positive"}


def everything_of(world, doc):
    """A row in every table that refers to a document, directly or through an annotation."""
    annotator = world.users["annotator"]
    annotation_save(document=doc, content=CONTENT, annotator=annotator)
    gold_save(document=doc, content=CONTENT, by=world.users["reviewer"], version=0)
    AssignmentFactory(document=doc, annotator=annotator)
    report = AgreementReport.objects.create(project=world.project, computed_at=timezone.now(),
                                            report={})
    DocumentDisagreement.objects.create(report=report, document=doc, score=0.5)
    DocumentPosterior.objects.create(report=report, document=doc, posterior={"positive": 1.0})
    GoldCheckScore.objects.create(project=world.project, document=doc, annotator=annotator,
                                  scored_at=timezone.now() - timedelta(1))
    agent = agent_ensure(project=world.project, name="crf")
    label = world.labels["PER"]
    Suggestion.objects.create(project=world.project, document=doc, agent=agent, kind="entity",
                              label=label, start=0, end=5, score=0.9)
    SuggestionDecision.objects.create(project=world.project, document=doc, agent=agent,
                                      user=annotator, decision="accepted", kind="entity",
                                      label=label, start=0, end=5)


def referring(doc_ids):
    """Rows of every model that refer to the documents (walked from the models' relations)."""
    found = {}

    def walk(model, where):
        for rel in model._meta.get_fields(include_hidden=True):
            if isinstance(rel, ForeignObjectRel) and not isinstance(rel, ManyToManyRel):
                rows = rel.related_model.objects.filter(**{f"{rel.field.name}__in": where})
                found[f"{rel.related_model.__name__}.{rel.field.name}"] = rows.count()
                walk(rel.related_model, rows.values("pk"))

    walk(Document, doc_ids)
    return found


def test_documents_and_everything_of_theirs_go_and_nothing_else(world):
    doomed = [DocumentFactory(project=world.project, text=world.document.text)
              for _ in range(2)]
    kept = world.document
    for doc in [*doomed, kept]:
        everything_of(world, doc)
    before = referring([kept.pk])
    assert all(before.values()), before  # the scene reaches every table
    assert cascade_delete(model=Document, ids=[d.pk for d in doomed]) == 2
    assert not Document.objects.filter(pk__in=[d.pk for d in doomed]).exists()
    assert set(referring([d.pk for d in doomed]).values()) == {0}
    assert referring([kept.pk]) == before
    assert Annotation.objects.filter(document=kept).count() == 2
    assert cascade_delete(model=Document, ids=[]) == 0


def test_relation_spans_are_indexed_but_not_checked_by_the_database():
    """A bulk delete checks no relation per deleted span at commit (bench/README.md): the
    relation's head and tail have their indexes, not foreign-key constraints. Its annotation
    and label keep theirs."""
    from django.db import connection

    table = Relation._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    foreign = {tuple(c["columns"]) for c in constraints.values() if c["foreign_key"]}
    indexed = {tuple(c["columns"]) for c in constraints.values() if c["index"]}
    assert ("head_id",) not in foreign
    assert ("tail_id",) not in foreign
    assert {("annotation_id",), ("label_id",)} <= foreign
    assert {("head_id",), ("tail_id",)} <= indexed
