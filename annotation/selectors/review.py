"""The review queue: documents with k submissions and no gold (status `annotated`).

Ordered by the latest agreement report's per-document disagreement (highest first, ties
by id; documents the report did not score come after, by id), or by when the document was
added (`oldest`, `newest`). Pages are keyset pages: each query reads one page through an
index (the scores' (report, -score) index, then the documents' (project, status, id)
index), with no COUNT and no OFFSET, so a page costs the same on 100,000 documents as on
100. The cursor of the disagreement order is `s:<score>:<id>` while in the scored part,
`u:<id>` after it; of the date orders, `i:<id>`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Left

from annotation.models import (
    AgreementReport,
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Document,
    DocumentDisagreement,
    DocumentStatus,
    Relation,
    SentimentChoice,
    Span,
)
from annotation.selectors.identities import IMPORTED_NAME, annotator_label
from projects.models import Label, LabelKind, Project

SORTS = ("disagreement", "oldest", "newest")
PREVIEW_CHARS = 160
FIELDS = ("id", "project_id", "external_id", "status", "created_at")


@dataclass(frozen=True)
class QueueFilter:
    label: Label | None = None  # some submitted annotation uses it
    annotator_id: int | None = None  # this annotator submitted one
    meta: tuple[str, str] | None = None  # meta[key] (as text) equals value


@dataclass
class QueueEntry:
    document: Document
    score: float | None
    annotators: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QueuePage:
    entries: list[QueueEntry]
    next_cursor: str | None
    report: AgreementReport | None


def _submitted(prefix: str = "annotation__") -> dict[str, str]:
    return {f"{prefix}kind": AnnotationKind.ANNOTATION,
            f"{prefix}status": AnnotationStatus.SUBMITTED}


def queue_documents(*, project: Project, where: QueueFilter) -> QuerySet[Document]:
    """The documents waiting for review that pass the filter, unordered."""
    docs = Document.objects.filter(project=project, status=DocumentStatus.ANNOTATED)
    if where.annotator_id is not None:
        docs = docs.filter(Exists(Annotation.objects.filter(
            document=OuterRef("pk"), annotator_id=where.annotator_id, **_submitted(""))))
    if where.label is not None:
        models: dict[str, type[Span | Relation | SentimentChoice]] = {
            LabelKind.ENTITY: Span, LabelKind.RELATION: Relation,
            LabelKind.SENTIMENT: SentimentChoice}
        docs = docs.filter(Exists(models[where.label.kind].objects.filter(
            annotation__document=OuterRef("pk"), label=where.label, **_submitted())))
    if where.meta is not None:
        key, value = where.meta
        # Cast: a plain text comparison. On the key transform itself `=` is its JSON lookup,
        # which SQLite runs as JSON_EXTRACT(value, '$') and so fails on any text not JSON.
        docs = docs.alias(meta_value=Cast(KeyTextTransform(key, "meta"), TextField())
                          ).filter(meta_value=value)
    return docs


def _page_docs(docs: QuerySet[Document]) -> QuerySet[Document]:
    return docs.only(*FIELDS).annotate(preview=Left("text", PREVIEW_CHARS))


def _parse(cursor: str | None) -> tuple[str, float | None, int] | None:
    """A cursor (kind, score, id), or None for the first page (or a cursor not understood)."""
    if not cursor:
        return None
    parts = cursor.split(":")
    try:
        if parts[0] == "s" and len(parts) == 3:
            return "s", float(parts[1]), int(parts[2])
        if parts[0] in ("u", "i") and len(parts) == 2:
            return parts[0], None, int(parts[1])
    except ValueError:
        return None
    return None


def _by_disagreement(docs: QuerySet[Document], report: AgreementReport | None,
                     after: tuple[str, float | None, int] | None, size: int
                     ) -> list[QueueEntry]:
    entries: list[QueueEntry] = []
    if report is not None and (after is None or after[0] == "s"):
        scores = (DocumentDisagreement.objects.filter(report=report, document__in=docs)
                  .order_by("-score", "document_id"))
        if after is not None:
            score, last = after[1], after[2]
            scores = scores.filter(Q(score__lt=score) | Q(score=score, document_id__gt=last))
        found = list(scores.values_list("document_id", "score")[:size + 1])
        by_id = {d.pk: d for d in _page_docs(Document.objects.filter(
            pk__in=[pk for pk, _ in found]))}
        entries = [QueueEntry(by_id[pk], score) for pk, score in found]
        if len(entries) > size:
            return entries
    rest = docs
    if report is not None:
        rest = rest.exclude(Exists(DocumentDisagreement.objects.filter(
            report=report, document=OuterRef("pk"))))
    if after is not None and after[0] == "u":
        rest = rest.filter(pk__gt=after[2])
    entries += [QueueEntry(d, None) for d in
                _page_docs(rest).order_by("id")[:size + 1 - len(entries)]]
    return entries


def _cursor(entry: QueueEntry, sort: str) -> str:
    if sort != "disagreement":
        return f"i:{entry.document.pk}"
    if entry.score is not None:
        return f"s:{entry.score!r}:{entry.document.pk}"
    return f"u:{entry.document.pk}"


def review_queue(*, project: Project, where: QueueFilter | None = None,
                 sort: str = "disagreement", after: str | None = None, size: int = 50,
                 annotators: bool = True) -> QueuePage:
    """One page of the review queue, with each document's score and (unless `annotators`
    is false) its submitters."""
    docs = queue_documents(project=project, where=where or QueueFilter())
    cursor = _parse(after)
    report = AgreementReport.objects.filter(project=project).only("id", "computed_at").first()
    if sort == "disagreement":
        entries = _by_disagreement(docs, report, cursor, size)
    else:
        newest = sort == "newest"
        if cursor is not None and cursor[0] == "i":
            docs = docs.filter(pk__lt=cursor[2]) if newest else docs.filter(pk__gt=cursor[2])
        entries = [QueueEntry(d, None) for d in
                   _page_docs(docs).order_by("-id" if newest else "id")[:size + 1]]
    more, entries = len(entries) > size, entries[:size]
    if annotators:
        _add_annotators(entries)
    if sort != "disagreement" and report is not None and entries:
        scores = dict(DocumentDisagreement.objects.filter(
            report=report, document_id__in=[e.document.pk for e in entries])
            .values_list("document_id", "score"))
        for entry in entries:
            entry.score = scores.get(entry.document.pk)
    return QueuePage(entries, _cursor(entries[-1], sort) if more else None, report)


def _add_annotators(entries: list[QueueEntry]) -> None:
    """Who submitted each document of the page: one query for the page."""
    names: dict[int, list[str]] = defaultdict(list)
    rows = (Annotation.objects.filter(document_id__in=[e.document.pk for e in entries],
                                      **_submitted(""))
            .order_by("annotator__username")
            .values_list("document_id", "annotator__username", IMPORTED_NAME))
    for doc, name, imported in rows:
        names[doc].append(annotator_label(name, imported))
    for entry in entries:
        entry.annotators = names[entry.document.pk]


def queue_next(*, project: Project, where: QueueFilter | None = None,
               sort: str = "disagreement", exclude: int | None = None) -> int | None:
    """The document at the head of the queue, other than `exclude`."""
    page = review_queue(project=project, where=where, sort=sort, size=2, annotators=False)
    ids = [e.document.pk for e in page.entries if e.document.pk != exclude]
    return ids[0] if ids else None
