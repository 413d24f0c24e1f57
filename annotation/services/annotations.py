from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from annotation.models import (
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Document,
    DocumentStatus,
    Relation,
    SentimentChoice,
    Span,
)
from annotation.pure.content import Content, ContentError, validate
from annotation.pure.text import content_hash
from annotation.selectors import project_schema
from projects.errors import Conflict, ServiceError
from projects.models import Project

BATCH = 2000


@transaction.atomic
def documents_create(*, project: Project, records: Iterable[dict[str, Any]]) -> int:
    """Store documents {text, meta?, id?} in batches; returns how many were stored."""
    stored = 0
    seen: set[str] = set()
    rows = iter(records)
    while batch := list(islice(rows, BATCH)):
        docs = [_document(project, rec, f"records[{n}]", seen)
                for n, rec in enumerate(batch, start=stored + 1)]
        taken = set(project.documents.filter(external_id__in=[d.external_id for d in docs
                                                             if d.external_id])
                    .values_list("external_id", flat=True))
        if taken:
            raise ServiceError.field("id", _("The project already has documents with id %(ids)s.")
                                     % {"ids": ", ".join(sorted(taken)[:10])})
        Document.objects.bulk_create(docs, batch_size=BATCH)
        stored += len(docs)
    return stored


def _document(project: Project, rec: dict[str, Any], where: str, seen: set[str]) -> Document:
    text, meta, ext = rec.get("text"), rec.get("meta"), rec.get("id")
    if not isinstance(text, str) or not text.strip():
        raise ServiceError.field(f"{where}.text", _("A document needs text."))
    if meta is not None and not isinstance(meta, dict):
        raise ServiceError.field(f"{where}.meta", _("meta must be a JSON object."))
    external_id = "" if ext is None else str(ext)
    if external_id and external_id in seen:
        raise ServiceError.field(f"{where}.id", _("Duplicate id %(id)s.") % {"id": external_id})
    seen.add(external_id)
    return Document(project=project, text=text, meta=meta or {}, external_id=external_id,
                    content_hash=content_hash(text))


def _write_content(annotation: Annotation, content: Content) -> None:
    annotation.spans.all().delete()
    SentimentChoice.objects.filter(annotation=annotation).delete()
    spans = Span.objects.bulk_create(
        [Span(annotation=annotation, start=s, end=e, label_id=lb) for s, e, lb in content.entities]
    )
    Relation.objects.bulk_create(
        [Relation(annotation=annotation, head=spans[h], tail=spans[t], label_id=lb)
         for h, t, lb in content.relations]
    )
    SentimentChoice.objects.bulk_create(
        [SentimentChoice(annotation=annotation, label_id=lb) for lb in content.sentiment]
    )


@transaction.atomic
def annotation_save(
    *, document: Document, content: dict[str, Any], annotator: User | None,
    kind: str = AnnotationKind.ANNOTATION, status: str = AnnotationStatus.DRAFT,
    version: int | None = None, seconds_spent: float = 0.0,
) -> Annotation:
    """Replace an annotation's content. `version` is the one the writer read (0: none yet);
    a stale one raises Conflict, so a stale tab never overwrites newer work."""
    if status not in AnnotationStatus.values:
        raise ServiceError.field("status", _("Use draft or submitted."))
    if kind not in AnnotationKind.values:
        raise ServiceError.field("kind", _("Unknown annotation kind."))
    if kind == AnnotationKind.ANNOTATION and annotator is None:
        raise ServiceError.field("annotator", _("An annotation needs its annotator."))
    try:
        parsed = validate(document.text, project_schema(project=document.project), content)
    except ContentError as exc:
        raise ServiceError(_("The annotation is not valid."), exc.errors) from exc
    lookup = {"document": document, "kind": kind}
    if kind == AnnotationKind.ANNOTATION:
        lookup["annotator"] = annotator
    annotation = Annotation.objects.select_for_update().filter(**lookup).first()
    current = annotation.version if annotation else 0
    if version is not None and version != current:
        raise Conflict(_("This annotation was saved elsewhere (version %(v)d); reload it.")
                       % {"v": current}, [{"field": "version", "message": _("stale version")}])
    if annotation is None:
        annotation = Annotation(project=document.project, document=document, kind=kind)
    else:
        annotation.version = F("version") + 1
    annotation.annotator = annotator
    annotation.status = status
    annotation.seconds_spent = max(0.0, float(seconds_spent))
    if status == AnnotationStatus.SUBMITTED:
        annotation.submitted_at = timezone.now()
    try:
        with transaction.atomic():  # a concurrent first save inserts the same row: 409
            annotation.save()
    except IntegrityError as exc:
        raise Conflict(_("This annotation was just saved elsewhere; reload it."),
                       [{"field": "version", "message": _("stale version")}]) from exc
    annotation.refresh_from_db(fields=["version"])
    _write_content(annotation, parsed)
    document_refresh_status(document=document)
    return annotation


def document_refresh_status(*, document: Document) -> str:
    """new -> annotated (k submitted) -> reviewed (gold set), from the stored annotations."""
    rows = Annotation.objects.filter(document=document)
    if rows.filter(kind=AnnotationKind.GOLD).exists():
        status = DocumentStatus.REVIEWED
    elif rows.filter(kind=AnnotationKind.ANNOTATION, status=AnnotationStatus.SUBMITTED
                     ).count() >= document.project.overlap:
        status = DocumentStatus.ANNOTATED
    else:
        status = DocumentStatus.NEW
    if status != document.status:
        Document.objects.filter(pk=document.pk).update(status=status)
        document.status = status
    return status
