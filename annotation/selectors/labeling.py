"""Reads for the workbench: one's own annotation, the agents' suggestions, one's progress."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotation.models import (
    Annotation,
    AnnotationKind,
    Assignment,
    AssignmentStatus,
    Decision,
    Document,
    DocumentStatus,
    SuggestionDecision,
    SuggestionKind,
)
from annotation.pure.content import Content, Schema, as_native
from annotation.selectors.agents import suggestions_for
from annotation.selectors.documents import annotation_content
from annotation.selectors.identities import annotator_labels
from projects.models import Order, Project


def _empty(multi_label: bool) -> dict[str, Any]:
    return {"entities": [], "relations": [], "sentiment": [] if multi_label else None}


def annotation_of(*, document: Document, user: User) -> dict[str, Any]:
    """The requester's own annotation; an empty draft at version 0 when there is none."""
    multi = document.project.sentiment_multi_label
    annotation = (Annotation.objects.select_related("document")
                  .filter(document=document, annotator=user, kind=AnnotationKind.ANNOTATION)
                  .first())
    return _own(annotation, multi)


def _own(annotation: Annotation | None, multi: bool) -> dict[str, Any]:
    if annotation is None:
        return {**_empty(multi), "status": "draft", "version": 0, "seconds_spent": 0.0}
    return {**annotation_content(annotation=annotation, multi_label=multi),
            "status": annotation.status, "version": annotation.version,
            "seconds_spent": annotation.seconds_spent}


def suggestions_of(*, project: Project, document: Document) -> dict[str, list[dict]] | None:
    """The document's suggestions as `suggestions_for` gives them (switched-on agents, at
    least the project's minimum score), or None when there are none: the workbench's and
    next's `predictions` (the name they had when only imported predictions were shown)."""
    found = suggestions_for(project=project, document=document)
    return found if any(found.values()) else None


def suggestion_key(kind: str, label: str, start: int | None, end: int | None,
                   tail_start: int | None, tail_end: int | None) -> str:
    """A suggestion's key as the workbench names it (static/js/workbench/model.js)."""
    if kind == SuggestionKind.ENTITY:
        return f"{start}:{end}:{label}"
    if kind == SuggestionKind.RELATION:
        return f"rel:{start}:{end}:{tail_start}:{tail_end}:{label}"
    return f"sent:{label}"


def rejected_suggestions(*, document: Document, user: User) -> list[str]:
    """The keys of the suggestions the user rejected on this document, so that the
    workbench does not offer them again."""
    rows = (SuggestionDecision.objects.filter(document=document, user=user,
                                              decision=Decision.REJECTED)
            .values_list("kind", "label__name", "start", "end", "tail_start", "tail_end"))
    return sorted({suggestion_key(*row) for row in rows})


def annotations_of_document(*, document: Document) -> list[dict[str, Any]]:
    """Everyone's annotations of a document (not gold, not predictions), oldest first."""
    multi = document.project.sentiment_multi_label
    rows = (Annotation.objects.select_related("annotator", "document")
            .filter(document=document, kind=AnnotationKind.ANNOTATION).order_by("id"))
    names = annotator_labels(user_ids={row.annotator_id for row in rows if row.annotator_id})
    return [{"annotator": names.get(row.annotator_id) if row.annotator_id else None,
             "status": row.status, "version": row.version,
             "seconds_spent": row.seconds_spent, "updated_at": row.updated_at,
             **annotation_content(annotation=row, multi_label=multi)} for row in rows]


def labeling_document(*, project: Project, user: User, document_id: int) -> Document | None:
    """A document of the project that is or was assigned to the requester."""
    mine = Assignment.objects.filter(document=OuterRef("pk"), annotator=user)
    return (project.documents.filter(pk=document_id).filter(Exists(mine))
            .select_related("project").first())


@dataclass(frozen=True)
class Progress:
    done: int
    skipped: int
    remaining: int  # documents still open to this annotator
    current: int | None  # the document of their open lease


def live(now: datetime) -> Q:
    """Assignments that hold one of a document's k slots: submitted, handed over by a
    manager (assigned), or a running lease."""
    return (Q(status__in=(AssignmentStatus.SUBMITTED, AssignmentStatus.ASSIGNED))
            | Q(status=AssignmentStatus.ACTIVE, expires_at__gt=now))


def documents_open_to(*, project: Project, user: User, now: datetime) -> QuerySet[Document]:
    """Documents the user may still be handed: not finished, fewer than k holders, and
    never held by this user (a lease of theirs that ran out does not count); in the order
    they are handed out: by id, or unless the project's order is sequential, by rank
    (documents without one last), then id."""
    held = (Assignment.objects.filter(document=OuterRef("pk")).filter(live(now)).order_by()
            .values("document").annotate(n=Count("pk")).values("n"))
    mine = (Assignment.objects.filter(document=OuterRef("pk"), annotator=user)
            .exclude(status=AssignmentStatus.EXPIRED))
    return (Document.objects.filter(project=project, status=DocumentStatus.NEW)
            .exclude(Exists(mine))
            .annotate(held=Coalesce(Subquery(held), 0)).filter(held__lt=project.overlap)
            .order_by(*handing_order(project)))


def handing_order(project: Project) -> list[Any]:
    """The order `next` hands a project's open documents out in (rows.candidate)."""
    if project.order == Order.SEQUENTIAL:
        return ["id"]
    return [F("rank").asc(nulls_last=True), "id"]


def progress_of(*, project: Project, user: User) -> Progress:
    counts = dict(Assignment.objects.filter(project=project, annotator=user)
                  .values_list("status").annotate(n=Count("pk")).order_by())
    current = (Assignment.objects.filter(project=project, annotator=user,
                                         status=AssignmentStatus.ACTIVE,
                                         expires_at__gt=timezone.now())
               .values_list("document_id", flat=True).first())
    open_count = documents_open_to(project=project, user=user, now=timezone.now()).count()
    return Progress(done=counts.get(AssignmentStatus.SUBMITTED, 0),
                    skipped=counts.get(AssignmentStatus.SKIPPED, 0),
                    remaining=open_count + counts.get(AssignmentStatus.ASSIGNED, 0)
                    + (1 if current else 0), current=current)


@dataclass(frozen=True)
class Saved:
    """An annotator's save (annotation/services/annotations.py: annotation_write)."""

    annotation: Annotation
    content: Content  # as stored, for the answer
    schema: Schema  # the one it was checked against


def saved_answer(*, saved: Saved, project: Project, brief: bool = False) -> dict[str, Any]:
    """The answer to a save, from what was stored, without reading it back; `brief` (a save
    that sent only its changes): without the content, which the sender has."""
    annotation = saved.annotation
    state = {"status": annotation.status, "version": annotation.version,
             "seconds_spent": annotation.seconds_spent}
    if brief:
        return {"brief": True, **state}
    return {**as_native(saved.content, annotation.document.text, saved.schema), **state}


# Raw SQL: the next-document answer is on the labeling hot path (annotation/services/rows.py).
NEXT_DOCUMENT_SQL = f'SELECT * FROM "{Document._meta.db_table}" WHERE id = %s'
NEXT_ANNOTATION_SQL = (f'SELECT * FROM "{Annotation._meta.db_table}" WHERE document_id = %s '
                       f"AND kind = %s AND annotator_id = %s")


def next_answer(*, assignment: Assignment, project: Project, user: User) -> dict[str, Any]:
    """The next-document answer: the document, the lease, the requester's annotation and the
    agents' suggestions (`predictions`, None when there are none); one query each, and
    content is read only if present."""
    document = next(iter(Document.objects.raw(NEXT_DOCUMENT_SQL, [assignment.document_id])))
    document.project = project
    mine = next(iter(Annotation.objects.raw(NEXT_ANNOTATION_SQL, [
        document.pk, AnnotationKind.ANNOTATION.value, user.pk])), None)
    if mine is not None:
        mine.document = document
    predictions = suggestions_of(project=project, document=document)
    if document.is_gold_check:  # blind: shown as the new document it poses as (not saved)
        document.status = DocumentStatus.NEW
    return {"document": document, "expires_at": assignment.expires_at,
            "annotation": _own(mine, project.sentiment_multi_label),
            "predictions": predictions}
