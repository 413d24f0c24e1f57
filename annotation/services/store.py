from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
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
from annotation.pure.content import Content, ContentError, Schema, validate
from annotation.pure.text import content_hash
from annotation.selectors.documents import project_schema_cached
from annotation.services import rows
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
        taken = _ids_taken(project, [d.external_id for d in docs if d.external_id])
        if taken:
            raise ServiceError.field("id", _("The project already has documents with id %(ids)s.")
                                     % {"ids": ", ".join(sorted(taken)[:10])})
        Document.objects.bulk_create(docs, batch_size=BATCH)
        stored += len(docs)
    return stored


def _ids_taken(project: Project, ids: list[str]) -> set[str]:
    """Which of `ids` (none blank) the project already has. The `external_id <> ''` (the
    exclude) lets PostgreSQL use the partial unique index on (project, external_id): it cannot
    prove that condition from an IN list of more than 100 values, and would read the whole
    project's rows through the project index instead (as `BulkWriter.existing` explains)."""
    if not ids:
        return set()
    rows = project.documents.filter(external_id__in=ids).exclude(external_id="")
    return set(rows.values_list("external_id", flat=True))


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


def _clear_content(annotation_id: int) -> None:
    """Delete an annotation's relations, spans and sentiment: one statement on PostgreSQL
    (the foreign keys are deferred to the commit), three elsewhere."""
    tables = [m._meta.db_table for m in (Relation, SentimentChoice, Span)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f'WITH r AS (DELETE FROM "{tables[0]}" WHERE annotation_id = %s), '
                f's AS (DELETE FROM "{tables[1]}" WHERE annotation_id = %s) '
                f'DELETE FROM "{tables[2]}" WHERE annotation_id = %s', [annotation_id] * 3)
        else:
            for table in tables:
                cursor.execute(f'DELETE FROM "{table}" WHERE annotation_id = %s',
                               [annotation_id])


def parse_content(document: Document, content: dict[str, Any], schema: Schema | None = None
                  ) -> Content:
    if schema is None:
        schema = project_schema_cached(project=document.project)
    try:
        return validate(document.text, schema, content)
    except ContentError as exc:
        raise ServiceError(_("The annotation is not valid."), exc.errors) from exc


def stale_version(current: int) -> Conflict:
    return Conflict(_("This annotation was saved elsewhere (version %(v)d); reload it.")
                    % {"v": current}, [{"field": "version", "message": _("stale version")}])


def _create(annotation: Annotation) -> None:
    try:
        with transaction.atomic():  # a concurrent first save inserts the same row: 409
            annotation.save()
    except IntegrityError as exc:
        raise Conflict(_("This annotation was just saved elsewhere; reload it."),
                       [{"field": "version", "message": _("stale version")}]) from exc


def _check(kind: str, status: str, annotator: User | None) -> None:
    if status not in AnnotationStatus.values:
        raise ServiceError.field("status", _("Use draft or submitted."))
    if kind not in AnnotationKind.values:
        raise ServiceError.field("kind", _("Unknown annotation kind."))
    if kind == AnnotationKind.ANNOTATION and annotator is None:
        raise ServiceError.field("annotator", _("An annotation needs its annotator."))


@transaction.atomic
def annotation_save(
    *, document: Document, content: dict[str, Any], annotator: User | None,
    kind: str = AnnotationKind.ANNOTATION, status: str = AnnotationStatus.DRAFT,
    version: int | None = None, seconds_spent: float = 0.0,
) -> Annotation:
    """Replace an annotation's content. `version` is the one the writer read (0: none yet);
    a stale one raises Conflict, so a stale tab never overwrites newer work."""
    _check(kind, status, annotator)
    return annotation_store(document=document, parsed=parse_content(document, content),
                            annotator=annotator, kind=kind, status=status, version=version,
                            seconds_spent=seconds_spent)


def annotation_store(*, document: Document, parsed: Content, annotator: User | None,
                     kind: str, status: str, version: int | None, seconds_spent: float,
                     refresh_status: bool = True) -> Annotation:
    """annotation_save for content already validated; inside the caller's transaction.
    `refresh_status=False` for an annotator's draft, which can't change the document's."""
    annotator_id = annotator.pk if annotator is not None else None
    annotation = rows.annotation_locked(
        document_id=document.pk, kind=kind,
        annotator_id=annotator_id if kind == AnnotationKind.ANNOTATION else None)
    current = annotation.version if annotation else 0
    if version is not None and version != current:
        raise stale_version(current)
    now = timezone.now()
    fields: dict[str, Any] = {"annotator_id": annotator_id, "status": status,
                              "updated_at": now, "seconds_spent": max(0.0, float(seconds_spent))}
    if status == AnnotationStatus.SUBMITTED:
        fields["submitted_at"] = now
    if annotation is None:
        annotation = Annotation(project_id=document.project_id, document=document, kind=kind,
                                **fields)
        _create(annotation)
    else:
        fields["version"] = current + 1  # the row is locked: no one else can bump it
        rows.annotation_update(annotation_id=annotation.pk, fields=fields)
        for name, value in fields.items():
            setattr(annotation, name, value)
        annotation.document = document
        _clear_content(annotation.pk)
    rows.content_insert(annotation_id=annotation.pk, content=parsed)
    if refresh_status:
        document_refresh_status(document=document)
    return annotation


def document_refresh_status(*, document: Document) -> str:
    """new -> annotated (k submitted) -> reviewed (gold set), from the stored annotations."""
    gold, done = rows.document_counts(document_id=document.pk)
    if gold:
        status = DocumentStatus.REVIEWED
    elif done >= document.project.overlap:
        status = DocumentStatus.ANNOTATED
    else:
        status = DocumentStatus.NEW
    if status != document.status:
        rows.row_update(model=Document, pk=document.pk, fields={"status": status.value})
        document.status = status
    return status
