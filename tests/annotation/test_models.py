"""The database itself guards the invariants, whatever code writes to it."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from annotation.models import Annotation, Span
from projects.models import Label, Membership
from tests.factories import DocumentFactory, UserFactory


def _raises_integrity(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_one_annotation_per_document_and_annotator(world):
    user = world.users["annotator"]
    Annotation.objects.create(project=world.project, document=world.document, annotator=user)
    _raises_integrity(lambda: Annotation.objects.create(project=world.project,
                                                        document=world.document, annotator=user))


def test_one_gold_per_document(world):
    Annotation.objects.create(project=world.project, document=world.document, kind="gold",
                              annotator=world.users["reviewer"])
    _raises_integrity(lambda: Annotation.objects.create(
        project=world.project, document=world.document, kind="gold",
        annotator=world.users["manager"]))


def test_annotation_needs_an_annotator(world):
    _raises_integrity(lambda: Annotation.objects.create(project=world.project,
                                                        document=world.document))


def test_external_id_unique_per_project_but_blank_allowed(world):
    DocumentFactory(project=world.project, external_id="x-1")
    DocumentFactory(external_id="x-1")  # another project
    DocumentFactory(project=world.project, external_id="")
    DocumentFactory(project=world.project, external_id="")
    _raises_integrity(lambda: DocumentFactory(project=world.project, external_id="x-1"))


@pytest.mark.parametrize(("start", "end"), [(5, 5), (6, 2)])
def test_span_start_before_end(world, start, end):
    ann = Annotation.objects.create(project=world.project, document=world.document,
                                    annotator=world.users["annotator"])
    _raises_integrity(lambda: Span.objects.create(annotation=ann, start=start, end=end,
                                                  label=world.labels["PER"]))


def test_role_values_are_checked(world):
    _raises_integrity(lambda: Membership.objects.create(project=world.project,
                                                        user=UserFactory(), role="owner"))


def test_label_kind_and_colour_are_checked(world):
    _raises_integrity(lambda: Label.objects.create(project=world.project, kind="mood", name="m"))
    _raises_integrity(lambda: Label.objects.create(project=world.project, kind="entity",
                                                   name="c", color="red"))


def test_used_label_is_protected(world):
    ann = Annotation.objects.create(project=world.project, document=world.document,
                                    annotator=world.users["annotator"])
    Span.objects.create(annotation=ann, start=0, end=5, label=world.labels["PER"])
    with pytest.raises(ProtectedError):
        world.labels["PER"].delete()
    assert Span.objects.filter(annotation=ann).count() == 1
