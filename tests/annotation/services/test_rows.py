"""annotation.services.rows: the save path's SQL, on whichever database the suite runs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotation.models import (
    Annotation,
    AnnotationKind,
    Assignment,
    Relation,
    SentimentChoice,
    Span,
)
from annotation.pure.content import Content
from annotation.selectors import annotation_content
from annotation.services import annotation_save, rows
from annotation.services.assignments import leased_for_write
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_content_insert_batches_and_maps_relations_to_the_new_span_ids(world, monkeypatch):
    monkeypatch.setattr(rows, "BATCH_PARAMETERS", 8)  # 2 spans a statement
    annotation = annotation_save(document=world.document, annotator=world.users["annotator"],
                                 content={}, version=0)
    per, org = world.labels["PER"].pk, world.labels["ORG"].pk
    entities = [(i, i + 1, per if i % 2 else org) for i in range(7)]
    content = Content(entities=entities, relations=[(1, 4, world.labels["works_for"].pk),
                                                    (6, 0, world.labels["works_for"].pk)],
                      sentiment=[world.labels["positive"].pk])
    rows.content_insert(annotation_id=annotation.pk, content=content)

    spans = list(Span.objects.filter(annotation=annotation).order_by("id")
                 .values_list("id", "start", "end", "label_id"))
    assert [s[1:] for s in spans] == entities
    relations = set(Relation.objects.filter(annotation=annotation).values_list("head", "tail"))
    assert relations == {(spans[1][0], spans[4][0]), (spans[6][0], spans[0][0])}
    assert list(SentimentChoice.objects.filter(annotation=annotation)
                .values_list("label", flat=True)) == [world.labels["positive"].pk]


def test_a_resave_replaces_content_and_keeps_other_annotations(world):
    me, other = world.users["annotator"], UserFactory()
    first = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"}],
             "sentiment": "negative"}
    annotation_save(document=world.document, annotator=other, content=first, version=0)
    annotation_save(document=world.document, annotator=me, content=first, version=0)
    saved = annotation_save(document=world.document, annotator=me, version=1, status="submitted",
                            content={"entities": [{"id": "T1", "start": 13, "end": 17,
                                                   "label": "ORG"}], "sentiment": "positive"})
    stored = Annotation.objects.get(pk=saved.pk)
    assert (stored.version, stored.status, stored.submitted_at is not None) == (2, "submitted",
                                                                               True)
    assert stored.updated_at == saved.updated_at
    mine = annotation_content(annotation=stored, multi_label=False)
    assert [(e["text"], e["label"]) for e in mine["entities"]] == [("阿里巴巴", "ORG")]
    assert mine["sentiment"] == "positive"
    theirs = Annotation.objects.get(document=world.document, annotator=other)
    assert annotation_content(annotation=theirs, multi_label=False)["sentiment"] == "negative"


def test_annotation_locked_finds_gold_by_kind_and_an_annotation_by_its_annotator(world):
    me = world.users["annotator"]
    annotation_save(document=world.document, annotator=me, content={}, version=0)
    gold = annotation_save(document=world.document, annotator=world.users["reviewer"],
                           kind=AnnotationKind.GOLD, status="submitted", content={}, version=0)
    found = rows.annotation_locked(document_id=world.document.pk, kind=AnnotationKind.GOLD,
                                   annotator_id=None)
    assert found is not None
    assert found.pk == gold.pk
    mine = rows.annotation_locked(document_id=world.document.pk, kind="annotation",
                                  annotator_id=me.pk)
    assert mine is not None
    assert mine.annotator_id == me.pk
    assert rows.annotation_locked(document_id=world.document.pk, kind="annotation",
                                  annotator_id=UserFactory().pk) is None


def test_lease_locked_reads_the_assignment_and_its_document(world):
    me = world.users["annotator"]
    Assignment.objects.create(project=world.project, document=world.document, annotator=me,
                              status="active", expires_at=timezone.now() + timedelta(hours=1))
    assignment = leased_for_write(project=world.project, user=me, document_id=world.document.pk)
    document = assignment.document
    assert (assignment.annotator_id, assignment.status) == (me.pk, "active")
    assert (document.pk, document.text, document.is_gold_check) == (
        world.document.pk, world.document.text, False)
    assert document.project is world.project
    assert document.meta == world.document.meta  # deferred, loaded when asked
    assert rows.lease_locked(project_id=world.project.pk + 1, user_id=me.pk,
                             document_id=world.document.pk) is None
