import hashlib

import pytest

from annotation.models import Annotation, DocumentStatus
from annotation.selectors import annotation_content
from annotation.services import annotation_save, documents_create
from projects.errors import Conflict, ServiceError

CONTENT = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                        {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
           "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
           "sentiment": "positive"}


def test_save_and_read_back_native_content(world):
    ann = annotation_save(document=world.document, annotator=world.users["annotator"],
                          content=CONTENT, version=0)
    assert ann.version == 1
    content = annotation_content(annotation=ann, multi_label=False)
    assert [(e["text"], e["label"]) for e in content["entities"]] == [("Alice", "PER"),
                                                                     ("阿里巴巴", "ORG")]
    assert content["relations"] == [{"head": "T1", "tail": "T2", "label": "works_for"}]
    assert content["sentiment"] == "positive"


def test_stale_version_is_a_conflict_and_changes_nothing(world):
    user = world.users["annotator"]
    annotation_save(document=world.document, annotator=user, content=CONTENT, version=0)
    second = annotation_save(document=world.document, annotator=user,
                             content={"sentiment": "negative"}, version=1)
    assert second.version == 2
    with pytest.raises(Conflict):
        annotation_save(document=world.document, annotator=user, content={}, version=1)
    stored = Annotation.objects.get(document=world.document, annotator=user)
    assert stored.version == 2
    assert annotation_content(annotation=stored, multi_label=False)["sentiment"] == "negative"


def test_invalid_content_stores_nothing(world):
    with pytest.raises(ServiceError) as exc:
        annotation_save(document=world.document, annotator=world.users["annotator"],
                        content={"entities": [{"start": 0, "end": 500, "label": "PER"}]})
    assert exc.value.errors[0]["field"] == "entities[0]"
    assert not Annotation.objects.exists()


def test_document_lifecycle(world):
    doc = world.document  # overlap is 2
    annotation_save(document=doc, annotator=world.users["annotator"], content=CONTENT,
                    status="submitted")
    assert doc.status == DocumentStatus.NEW
    annotation_save(document=doc, annotator=world.users["reviewer"], content=CONTENT,
                    status="submitted")
    assert doc.status == DocumentStatus.ANNOTATED
    annotation_save(document=doc, annotator=world.users["reviewer"], content=CONTENT,
                    kind="gold", status="submitted")
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.REVIEWED


def test_documents_create_hashes_and_refuses_empty_text(world):
    assert documents_create(project=world.project, records=[{"text": "一", "id": "a"},
                                                            {"text": "two", "meta": {"k": 1}}]) == 2
    doc = world.project.documents.get(external_id="a")
    assert doc.content_hash == hashlib.sha256("一".encode()).hexdigest()
    assert world.project.documents.get(external_id="").meta == {"k": 1}
    before = world.project.documents.count()
    with pytest.raises(ServiceError) as exc:
        documents_create(project=world.project, records=[{"text": "ok"}, {"text": "  "}])
    assert exc.value.errors[0]["field"] == "records[2].text"
    assert world.project.documents.count() == before


def test_documents_create_refuses_duplicate_ids_in_file_and_project(world):
    with pytest.raises(ServiceError) as exc:
        documents_create(project=world.project, records=[{"text": "a", "id": "x"},
                                                         {"text": "b", "id": "x"}])
    assert exc.value.errors[0]["field"] == "records[2].id"
    with pytest.raises(ServiceError) as exc:
        documents_create(project=world.project, records=[{"text": "c",
                                                          "id": world.document.external_id}])
    assert world.document.external_id in exc.value.detail
    assert documents_create(project=world.project, records=[{"text": "d", "id": 0}]) == 1
    assert world.project.documents.filter(external_id="0").exists()
    with pytest.raises(ServiceError) as exc:
        documents_create(project=world.project, records=[{"text": "e", "meta": [1]}])
    assert exc.value.errors[0]["field"] == "records[1].meta"


def test_racing_first_save_is_a_conflict_not_a_crash(world, monkeypatch):
    """Two first saves race: the loser finds no row, then hits the unique index."""
    user = world.users["annotator"]
    annotation_save(document=world.document, annotator=user, content={}, version=0)
    from django.db.models import QuerySet

    monkeypatch.setattr(QuerySet, "first", lambda self: None)  # as if read before the insert
    with pytest.raises(Conflict):
        annotation_save(document=world.document, annotator=user, content={}, version=0)
    monkeypatch.undo()
    assert Annotation.objects.filter(document=world.document, annotator=user).count() == 1


def test_annotation_needs_kind_and_annotator(world):
    with pytest.raises(ServiceError):
        annotation_save(document=world.document, annotator=None, content={})
    with pytest.raises(ServiceError):
        annotation_save(document=world.document, annotator=world.users["annotator"],
                        content={}, kind="opinion")
