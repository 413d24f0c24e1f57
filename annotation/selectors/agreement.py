"""Reads for agreement: the submitted annotations of a project, in bulk, as numpy arrays.

Rows stream from the database in chunks (no ORM objects), straight into arrays, so memory
is bounded by the arrays themselves: at 1,000,000 annotations with 5 spans each, about
250 MB of int64s.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet

from annotation.models import (
    AgreementReport,
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    DocumentDisagreement,
    Relation,
    SentimentChoice,
    Span,
)
from annotation.selectors.identities import annotator_labels
from projects.models import Job, JobKind, JobStatus, LabelKind, Project

CHUNK = 20_000


@dataclass
class StoredAnnotations:
    """Submitted annotations: row i of `annotations` is (annotation id, document id,
    annotator id); spans, relations and sentiment point at annotations by row index."""

    annotators: dict[int, str]  # user id -> username (imported identity: "alice (imported)")
    annotations: np.ndarray  # (n, 3) int64: id, document id, annotator id
    sentiment: np.ndarray  # (m, 2) int64: annotation row, label id
    spans: np.ndarray  # (s, 5) int64: annotation row, span id, start, end, label id
    relations: np.ndarray  # (r, 4) int64: annotation row, head span id, tail span id, label id
    labels: dict[int, tuple[str, str, float | None, int]]  # id -> (kind, name, value, order)


def _array(rows: Iterable[tuple], width: int) -> np.ndarray:
    flat = np.fromiter((v for row in rows for v in row), dtype=np.int64)
    return flat.reshape(-1, width)


def _rows(queryset: QuerySet, *fields: str) -> Iterable[tuple]:
    return queryset.order_by().values_list(*fields).iterator(chunk_size=CHUNK)


def _rows_of(annotations: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Map annotation ids to row indexes of `annotations` (sorted by id)."""
    return np.searchsorted(annotations[:, 0], ids)


def agreement_corpus(*, project: Project) -> StoredAnnotations:
    submitted = Annotation.objects.filter(project=project, kind=AnnotationKind.ANNOTATION,
                                          status=AnnotationStatus.SUBMITTED)
    annotations = _array(_rows(submitted.order_by("id"), "id", "document_id", "annotator_id"), 3)
    annotations = annotations[np.argsort(annotations[:, 0], kind="stable")]
    of = {"annotation__project": project, "annotation__kind": AnnotationKind.ANNOTATION,
          "annotation__status": AnnotationStatus.SUBMITTED}
    sentiment = _array(_rows(SentimentChoice.objects.filter(**of), "annotation_id", "label_id"),
                       2)
    spans = _array(_rows(Span.objects.filter(**of), "annotation_id", "id", "start", "end",
                         "label_id"), 5)
    relations = _array(_rows(Relation.objects.filter(**of), "annotation_id", "head_id",
                             "tail_id", "label_id"), 4)
    for table in (sentiment, spans, relations):
        if len(table):
            table[:, 0] = _rows_of(annotations, table[:, 0])
    users = {int(u) for u in np.unique(annotations[:, 2])} if len(annotations) else set()
    names = annotator_labels(user_ids=users)  # an imported identity: "alice (imported)"
    labels = {lb.pk: (lb.kind, lb.name, lb.value, lb.order)
              for lb in project.labels.order_by("order", "id")}
    return StoredAnnotations(annotators=names, annotations=annotations, sentiment=sentiment,
                             spans=spans, relations=relations, labels=labels)


def sentiment_labels(corpus: StoredAnnotations) -> list[tuple[int, str, float | None]]:
    """The sentiment labels in scale order: (id, name, value)."""
    rows = [(lid, name, value, order) for lid, (kind, name, value, order)
            in corpus.labels.items() if kind == LabelKind.SENTIMENT]
    return [(lid, name, value) for lid, name, value, _ in sorted(rows, key=lambda r: (r[3], r[0]))]


def agreement_latest(*, project: Project) -> AgreementReport | None:
    return AgreementReport.objects.filter(project=project).first()


def disagreements(*, report: AgreementReport, limit: int = 50) -> list[DocumentDisagreement]:
    return list(report.scores.select_related("document").order_by("-score", "document_id")
                [:limit])


def agreement_running(*, project: Project) -> Job | None:
    return Job.objects.filter(project=project, kind=JobKind.AGREEMENT,
                              status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).first()


def document_texts(*, project: Project, ids: np.ndarray) -> list[str]:
    """The texts of the documents `ids` (sorted), streamed in chunks."""
    wanted = set(ids.tolist())
    texts = {pk: text for pk, text in _rows(project.documents.order_by("id"), "id", "text")
             if pk in wanted}
    return [texts[pk] for pk in ids.tolist()]
