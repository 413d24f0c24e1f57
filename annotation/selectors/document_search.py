"""The document manager's search: filters that combine freely, sortable columns and keyset
pages (DESIGN.md, "Documents").

Every filter narrows one queryset, so the page, the API and the bulk actions read the same
set. `q` is a case-insensitive substring of the text, CJK included: on PostgreSQL a pg_trgm
GIN index on UPPER(text) (migration 0012) serves patterns of three or more characters; a
shorter one, and SQLite, scan (the result is the same, only slower).

Pages are keyset pages over (sort column, id): a cursor names the last row of a page, so a
page costs the same however deep it is. A cursor is the row's id when the list is sorted by
id (the links the page has always had), else an opaque token of (value, id).
"""

from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Exists,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import CombinedExpression, F
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext as _

from annotation.models import (
    AgreementReport,
    Annotation,
    AnnotationKind,
    Assignment,
    AssignmentStatus,
    Document,
    DocumentDisagreement,
    Relation,
    SentimentChoice,
    Span,
)
from annotation.selectors.documents import document_list
from projects.models import Project
from projects.permissions import Access, Right

ORDERINGS = ("id", "-id", "external_id", "-external_id", "status", "-status", "created_at",
             "-created_at")
Q_MAX = 200  # characters of a search string
META_MAX = 5  # meta.<key>= filters in one query
HUMAN = (AnnotationKind.ANNOTATION, AnnotationKind.GOLD)


@dataclass(frozen=True)
class DocumentQuery:
    """What a user asked the list for. `meta` is ((key, value), ...): meta[key], as text,
    equals value. `near_duplicate` is True (in any group), False (in none) or a group's
    id (that group: the smallest document id in it)."""

    status: str | None = None
    skipped: bool | None = None
    q: str = ""
    label: str | None = None
    annotator: str | None = None
    agreement_lt: float | None = None
    meta: tuple[tuple[str, str], ...] = ()
    pii: bool | None = None
    near_duplicate: bool | int | None = None
    gold_check: bool | None = None
    ordering: str = "id"

    @classmethod
    def of(cls, data: dict[str, Any]) -> "DocumentQuery":
        """From a validated filter (serializers.DocumentFilter), or the JSON a job keeps of
        one: near_duplicate as "true", "false" or an id's digits; meta as pairs."""
        values = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        near = values.pop("near_duplicate", None)
        if isinstance(near, str):
            near = {"true": True, "false": False}[near] if near in ("true", "false") \
                else int(near)
        values["meta"] = tuple((str(k), str(v)) for k, v in values.get("meta", ()))
        return cls(**values, near_duplicate=near)


def documents_search(*, project: Project, query: DocumentQuery,
                     own: User | None = None) -> QuerySet[Document]:
    """The project's documents that match every filter of `query`, in its order. `own`: an
    annotator's view, which must tell nothing of others' work (blind annotation): only the
    documents that user was handed, annotated with `my_status` (their assignment's), their
    own labels for `label` and their own skips for `skipped`; the filters that would tell of
    others' work (status, agreement, annotator, gold check) are left out."""
    if own is not None:
        return _own(project, query, own)
    docs = document_list(project=project, status=query.status, skipped=query.skipped)
    return _filtered(project, docs, query, None)


def _own(project: Project, query: DocumentQuery, own: User) -> QuerySet[Document]:
    mine = Assignment.objects.filter(document=OuterRef("pk"), annotator=own)
    docs = (project.documents.defer("pii").filter(Exists(mine))
            .annotate(my_status=Subquery(mine.values("status")[:1])))
    if query.skipped is not None:
        skips = Exists(mine.filter(status=AssignmentStatus.SKIPPED))
        docs = docs.filter(skips) if query.skipped else docs.exclude(skips)
    return _filtered(project, docs, replace(blind(query), skipped=None), own)


BLIND_ORDERINGS = ("id", "-id", "external_id", "-external_id", "created_at", "-created_at")


def blind(query: DocumentQuery) -> DocumentQuery:
    """`query` without what would tell an annotator of others' work: the document's status
    (gold makes it reviewed), agreement, who else annotated, gold checks; sorted by a
    column that tells nothing either."""
    return replace(query, status=None, agreement_lt=None, gold_check=None, annotator=None,
                   ordering=query.ordering if query.ordering in BLIND_ORDERINGS else "id")


def _filtered(project: Project, docs: QuerySet[Document], query: DocumentQuery,
              own: User | None) -> QuerySet[Document]:
    if query.q:
        docs = docs.filter(text__icontains=query.q)
    if query.label is not None:
        docs = docs.filter(_has_label(project, query.label, own))
    if query.annotator is not None:
        docs = docs.filter(Exists(Annotation.objects.filter(
            document=OuterRef("pk"), kind=AnnotationKind.ANNOTATION,
            annotator__username=query.annotator)))
    if query.agreement_lt is not None:
        docs = docs.filter(_agreement_below(project, query.agreement_lt))
    for key, value in query.meta:
        docs = docs.alias(**{f"meta_{key_alias(key)}": Cast(KeyTextTransform(key, "meta"),
                                                             TextField())}).filter(
            **{f"meta_{key_alias(key)}": value})
    docs = _flags(docs, query)
    return docs.order_by(*_order(query.ordering))


def key_alias(key: str) -> str:
    """A name for the annotation of meta[key] that no key can break out of."""
    return key.encode().hex()


def _flags(docs: QuerySet[Document], query: DocumentQuery) -> QuerySet[Document]:
    if query.pii is not None:
        docs = docs.exclude(pii={}) if query.pii else docs.filter(pii={})
    if query.near_duplicate is True:
        docs = docs.filter(near_duplicate_group__isnull=False)
    elif query.near_duplicate is False:
        docs = docs.filter(near_duplicate_group__isnull=True)
    elif isinstance(query.near_duplicate, int):
        docs = docs.filter(near_duplicate_group=query.near_duplicate)
    if query.gold_check is not None:
        docs = docs.filter(is_gold_check=query.gold_check)
    return docs


def _has_label(project: Project, name: str, own: User | None) -> Q | Exists:
    """A human annotation or the gold of the document carries the label (any kind of label
    by that name); `own`: that user's annotation only."""
    ids = list(project.labels.filter(name=name).values_list("pk", flat=True))
    if not ids:
        return Q(pk__in=[])
    whose = ({"annotation__annotator": own, "annotation__kind": AnnotationKind.ANNOTATION}
             if own is not None else {"annotation__kind__in": HUMAN})
    spans, relations, sentiment = (
        Exists(model.objects.filter(annotation__document=OuterRef("pk"), label_id__in=ids,
                                    **whose)) for model in (Span, Relation, SentimentChoice))
    return Q(spans) | Q(relations) | Q(sentiment)


def _agreement_below(project: Project, threshold: float) -> Q:
    """In the latest agreement report, the document's agreement (1 - its disagreement
    score) is below `threshold`; documents the report did not score do not match."""
    report = AgreementReport.objects.filter(project=project).values_list("pk", flat=True).first()
    if report is None:
        return Q(pk__in=[])
    agreement = CombinedExpression(Value(1.0), "-", F("score"), output_field=FloatField())
    scores = (DocumentDisagreement.objects.filter(report_id=report, document=OuterRef("pk"))
              .alias(agreement=agreement).filter(agreement__lt=threshold))
    return Q(Exists(scores))


def _order(ordering: str) -> list[str]:
    column = ordering.lstrip("-")
    if column == "id":
        return [ordering]
    sign = "-" if ordering.startswith("-") else ""
    return [ordering, f"{sign}id"]


def visible_query(*, access: Access, query: DocumentQuery) -> DocumentQuery:
    """The query as the requester's view runs it (`blind` for those who may not browse)."""
    return query if access.can(Right.BROWSE) else blind(query)


def documents_visible(*, access: Access, user: User, query: DocumentQuery) -> QuerySet[Document]:
    """`documents_search` as the requester may see it: every document for a role that may
    browse the project's documents (managers, reviewers, consumers); an annotator's own
    (the documents they were handed); a 403 otherwise."""
    if access.can(Right.BROWSE):
        return documents_search(project=access.project, query=query)
    access.require(Right.LABEL)
    return documents_search(project=access.project, query=query, own=user)


def document_for(*, access: Access, user: User, document_id: int) -> Document:
    """One document as `documents_visible` shows it: 404 when the project has no such
    document, 403 when it is not the annotator's (as the workbench answers)."""
    document = documents_visible(access=access, user=user, query=DocumentQuery()) \
        .filter(pk=document_id).first()
    if document is not None:
        return document
    if not access.project.documents.filter(pk=document_id).exists():
        raise Http404("No such document.")
    raise PermissionDenied(_("This document is not assigned to you."))
