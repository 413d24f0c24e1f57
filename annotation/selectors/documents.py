from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.db.models.lookups import GreaterThan

from annotation.models import (
    Annotation,
    Assignment,
    AssignmentStatus,
    Document,
    DocumentStatus,
    Relation,
)
from annotation.pure.content import LabelSpec, Schema
from projects.cache_keys import label_schema
from projects.models import LabelKind, Project
from projects.selectors import missing_labels


def _label_specs(project: Project) -> dict[tuple[str, str], LabelSpec]:
    labels = list(project.labels.prefetch_related("head_labels", "tail_labels"))
    return {
        (lb.kind, lb.name): LabelSpec(
            id=lb.pk, name=lb.name, kind=lb.kind, order=lb.order,
            head=frozenset(h.name for h in lb.head_labels.all()) if lb.kind == LabelKind.RELATION
            else frozenset(),
            tail=frozenset(t.name for t in lb.tail_labels.all()) if lb.kind == LabelKind.RELATION
            else frozenset(),
        )
        for lb in labels
    }


def _schema(project: Project, specs: dict[tuple[str, str], LabelSpec]) -> Schema:
    return Schema(labels=specs, tasks=frozenset(project.tasks),
                  allow_overlap=project.allow_overlapping_spans,
                  multi_label=project.sentiment_multi_label)


def project_schema(*, project: Project) -> Schema:
    return _schema(project, _label_specs(project))


SCHEMA_TTL = 300


def project_schema_cached(*, project: Project) -> Schema:
    """project_schema with the labels from the cache (the label services drop them when
    labels change); the project's own settings are always the current ones."""
    key = label_schema(project.pk)
    specs = cache.get(key)
    if specs is None:
        specs = _label_specs(project)
        cache.set(key, specs, SCHEMA_TTL)
    return _schema(project, specs)


def setup_problems(*, project: Project) -> list[dict[str, str]]:
    """setup_problems with the label kinds of the cached schema (the labeling path)."""
    kinds = {spec.kind for spec in project_schema_cached(project=project).labels.values()}
    return missing_labels(tasks=project.tasks, kinds=kinds)


def document_list(*, project: Project, status: str | None = None,
                  skipped: bool | None = None) -> QuerySet[Document]:
    """The project's documents, by id; `skipped`: only those that someone skipped (and
    nobody requeued since), or only the others."""
    docs = project.documents.defer("pii").order_by("id")
    if status:
        docs = docs.filter(status=status)
    if skipped is not None:
        skips = Exists(Assignment.objects.filter(document=OuterRef("pk"),
                                                 status=AssignmentStatus.SKIPPED))
        docs = docs.filter(skips) if skipped else docs.exclude(skips)
    return docs


LIST_TEXT_CHARS = 500


def documents_listed(*, documents: QuerySet[Document], chars: int = LIST_TEXT_CHARS
                     ) -> QuerySet[Document]:
    """`documents` without their text: its first `chars` code points as `text_preview`, and
    `text_truncated` when it is longer. The database reads only that slice of each text
    (substring() of a stored value fetches the chunks it needs), so a list row costs the same
    for a text of a million code points as for a short one."""
    return documents.defer("text").annotate(
        text_preview=Substr("text", 1, chars),
        text_truncated=GreaterThan(Length(Substr("text", 1, chars + 1)), chars),
        has_pii=ExpressionWrapper(~Q(pii={}), output_field=BooleanField()))


@dataclass(frozen=True)
class Skip:
    annotator: str
    reason: str
    skipped_at: datetime | None


def documents_with_skips(*, documents: Sequence[Document]) -> Sequence[Document]:
    """Give each document `skips`: who skipped it, when and why (oldest first); one query."""
    found: dict[int, list[Skip]] = {doc.pk: [] for doc in documents}
    rows = (Assignment.objects.filter(document__in=list(found), status=AssignmentStatus.SKIPPED)
            .order_by("finished_at", "id")
            .values_list("document_id", "annotator__username", "skip_reason", "finished_at"))
    for document_id, annotator, reason, at in rows:
        found[document_id].append(Skip(annotator, reason, at))
    for doc in documents:
        doc.skips = found[doc.pk]  # type: ignore[attr-defined]
    return documents


def annotation_content(*, annotation: Annotation, multi_label: bool) -> dict[str, Any]:
    """The native {entities, relations, sentiment} of one annotation; entities carry `text`."""
    text = annotation.document.text
    spans = list(annotation.spans.select_related("label").order_by("start", "end", "id"))
    ids = {span.pk: f"T{n}" for n, span in enumerate(spans, start=1)}
    relations = (Relation.objects.filter(annotation=annotation).select_related("label")
                 .order_by("id"))
    sentiment = [lb.name for lb in annotation.sentiment.order_by("order", "id")]
    return {
        "entities": [{"id": ids[s.pk], "start": s.start, "end": s.end, "label": s.label.name,
                      "text": text[s.start:s.end]} for s in spans],
        "relations": [{"head": ids[r.head_id], "tail": ids[r.tail_id], "label": r.label.name}
                      for r in relations],
        "sentiment": sentiment if multi_label else (sentiment[0] if sentiment else None),
    }


def document_counts(*, project: Project) -> dict[str, int]:
    """The project's documents by status, and their `total`."""
    counts = dict.fromkeys(DocumentStatus.values, 0)
    rows = project.documents.values("status").annotate(n=Count("id")).order_by()
    counts.update({row["status"]: row["n"] for row in rows})
    counts["total"] = sum(counts.values())
    return counts
