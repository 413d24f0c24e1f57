"""Reads for the balance aggregates the agreement job stores: gold labels and document meta,
streamed in chunks as plain rows (no ORM objects)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotation.models import Annotation, AnnotationKind, Relation, SentimentChoice, Span
from annotation.selectors.agreement import _array, _rows
from projects.models import Project


@dataclass
class GoldLabels:
    """(document id, label id) rows of the gold annotations, one per chosen label."""

    sentiment: np.ndarray  # (m, 2) int64
    spans: np.ndarray  # (s, 2) int64
    relations: np.ndarray  # (r, 2) int64
    documents: np.ndarray  # (g,) int64: the documents that have gold


def gold_labels(*, project: Project) -> GoldLabels:
    of = {"annotation__project": project, "annotation__kind": AnnotationKind.GOLD}
    fields = ("annotation__document_id", "label_id")
    gold = Annotation.objects.filter(project=project, kind=AnnotationKind.GOLD)
    return GoldLabels(
        documents=np.unique(_array(_rows(gold, "document_id"), 1)[:, 0]),
        sentiment=_array(_rows(SentimentChoice.objects.filter(**of), *fields), 2),
        spans=_array(_rows(Span.objects.filter(**of), *fields), 2),
        relations=_array(_rows(Relation.objects.filter(**of), *fields), 2))


def document_meta(*, project: Project) -> Iterable[tuple[Any, ...]]:
    """(id, meta) of every document of the project, in no particular order."""
    return _rows(project.documents.all(), "id", "meta")
