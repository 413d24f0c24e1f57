"""Turn a batch of prepared records into rows: documents, annotations, spans, relations,
and the predictions' suggestions (suggestions.py)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.contrib.auth.models import User
from django.utils import timezone

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
from annotation.pure.content import Content
from annotation.readers.records import Problem, Record
from annotation.services.bulk import BulkWriter
from annotation.services.imports.identities import Annotators
from annotation.services.imports.options import ImportOptions, Report
from annotation.services.imports.suggestions import Agents, Row, write_suggestions
from projects.models import Project

DOC_COLUMNS = ("id", "project_id", "external_id", "text", "meta", "content_hash", "status",
               "pii", "is_gold_check", "created_at")
REPORT_COUNTER: dict[str, str] = {AnnotationKind.ANNOTATION: "annotations",
                                  AnnotationKind.GOLD: "gold"}
ANN_COLUMNS = ("id", "project_id", "document_id", "kind", "annotator_id", "status", "version",
               "seconds_spent", "created_at", "updated_at", "submitted_at")


@dataclass
class Prepared:
    record: Record
    digest: str
    pii: dict[str, list[list[int]]]
    labellings: list[tuple[str, str | None, Content]] = field(default_factory=list)
    suggestions: list[Row] | None = None  # the predictions' (None: the record had none)
    doc_id: int | None = None
    existing: bool = False  # merged into a document stored before this import
    pii_types: list[str] = field(default_factory=list)


class ImportState(Protocol):
    """What writing a batch needs of the running import (importer.Importer)."""

    project: Project
    options: ImportOptions
    by: User | None
    report: Report
    writer: BulkWriter
    annotators: Annotators
    agents: Agents
    ids_stored: bool

    def problem(self, item: Problem) -> None: ...


def drop_taken_ids(importer: ImportState, batch: list[Prepared]) -> list[Prepared]:
    """Ids already used in the project are problems (the file's own duplicates the reader
    reports, so there is nothing to look up when the project held no ids before)."""
    wanted = [p.record.id for p in batch if p.record.id and not p.existing]
    if not wanted or not importer.ids_stored:
        return batch
    taken = importer.writer.existing(Document, "external_id", importer.project.pk, wanted)
    kept = []
    for prepared in batch:
        if not prepared.existing and prepared.record.id in taken:
            importer.problem(Problem(prepared.record.line, "id",
                                     f"the project already has a document with id "
                                     f"{prepared.record.id!r}"))
        else:
            kept.append(prepared)
    return kept


def _user_id(importer: ImportState, name: str) -> int:
    """The member of that username, or the project's imported identity of that name
    (annotation/services/imports/identities.py): never another account."""
    return importer.annotators.user_id(name)


def _status(importer: ImportState, prepared: Prepared) -> str:
    kinds = [kind for kind, _, _ in prepared.labellings]
    if AnnotationKind.GOLD in kinds:
        return DocumentStatus.REVIEWED
    if kinds.count(AnnotationKind.ANNOTATION) >= importer.project.overlap:
        return DocumentStatus.ANNOTATED
    return DocumentStatus.NEW


def write_batch(importer: ImportState, batch: list[Prepared]) -> None:
    writer, project = importer.writer, importer.project
    now = writer.timestamp(timezone.now())
    fresh = [p for p in batch if not p.existing]
    importer.report.imported += len(fresh)
    importer.report.merged += len(batch) - len(fresh)
    importer.report.predictions += sum(p.suggestions is not None for p in batch)
    if importer.options.duplicates != "merge" and not any(p.labellings or p.suggestions
                                                          for p in batch):
        # Nothing refers to these documents: no ids to allocate, and the COPY stays open.
        writer.append(Document, DOC_COLUMNS[1:], [
            (project.pk, p.record.id or "", p.record.text, p.record.meta, p.digest,
             _status(importer, p), p.pii, False, now) for p in fresh])
        return
    for prepared, doc_id in zip(fresh, writer.allocate(Document, len(fresh)), strict=True):
        prepared.doc_id = doc_id
    writer.insert(Document, DOC_COLUMNS, [
        (p.doc_id, project.pk, p.record.id or "", p.record.text, p.record.meta, p.digest,
         _status(importer, p), p.pii, False, now) for p in fresh])
    _write_labellings(importer, batch, now)
    write_suggestions(writer, importer.agents, project.pk,
                      [(p.doc_id, p.suggestions) for p in fresh if p.suggestions
                       and p.doc_id is not None],
                      [(p.doc_id, p.suggestions) for p in batch if p.existing and p.suggestions
                       and p.doc_id is not None])


def _write_labellings(importer: ImportState, batch: list[Prepared], now: datetime | str
                      ) -> None:
    writer, report = importer.writer, importer.report
    items: list[tuple[int | None, str, int | None, Content]] = []
    owners: set[tuple[int | None, object]] = set()
    importer.annotators.resolve({who for p in batch for _kind, who, _c in p.labellings if who})
    for prepared in batch:
        for kind, who, content in prepared.labellings:
            owner = _user_id(importer, who) if who else (importer.by.pk if importer.by and
                                                          kind == AnnotationKind.GOLD else None)
            slot = (prepared.doc_id, owner if kind == AnnotationKind.ANNOTATION else kind)
            if slot in owners or _exists(prepared, kind, owner):
                importer.problem(Problem(prepared.record.line, kind,
                                         f"a second {kind} for the same document"
                                         + (f" by {who}" if who else "") + "; kept the first"))
                continue
            owners.add(slot)
            items.append((prepared.doc_id, kind, owner, content))
            counter = REPORT_COUNTER[kind]
            setattr(report, counter, getattr(report, counter) + 1)
    ids = writer.allocate(Annotation, len(items))
    writer.insert(Annotation, ANN_COLUMNS, [
        (ann_id, importer.project.pk, doc_id, kind, owner,
         AnnotationStatus.SUBMITTED, 1, 0.0, now, now, now)
        for ann_id, (doc_id, kind, owner, _) in zip(ids, items, strict=True)])
    _write_content(writer, list(zip(ids, [c for *_, c in items], strict=True)))


def _exists(prepared: Prepared, kind: str, owner: int | None) -> bool:
    """A merge into an existing document must not add a second labelling for one owner."""
    if not prepared.existing:
        return False
    assert prepared.doc_id is not None
    rows = Annotation.objects.filter(document_id=prepared.doc_id, kind=kind)
    return rows.filter(annotator_id=owner).exists() if kind == "annotation" else rows.exists()


def _write_content(writer: BulkWriter, annotations: list[tuple[int, Content]]) -> None:
    spans, relations, sentiment = [], [], []
    span_ids = writer.allocate(Span, sum(len(c.entities) for _, c in annotations))
    cursor = 0
    for ann_id, content in annotations:
        mine = span_ids[cursor:cursor + len(content.entities)]
        cursor += len(content.entities)
        spans += [(sid, ann_id, s, e, lb) for sid, (s, e, lb) in zip(mine, content.entities,
                                                                       strict=True)]
        relations += [(ann_id, mine[h], mine[t], lb) for h, t, lb in content.relations]
        sentiment += [(ann_id, lb) for lb in content.sentiment]
    writer.insert(Span, ("id", "annotation_id", "start", "end", "label_id"), spans)
    rel_ids = writer.allocate(Relation, len(relations))
    writer.insert(Relation, ("id", "annotation_id", "head_id", "tail_id", "label_id"),
                  [(rid, *row) for rid, row in zip(rel_ids, relations, strict=True)])
    sent_ids = writer.allocate(SentimentChoice, len(sentiment))
    writer.insert(SentimentChoice, ("id", "annotation_id", "label_id"),
                  [(sid, *row) for sid, row in zip(sent_ids, sentiment, strict=True)])
