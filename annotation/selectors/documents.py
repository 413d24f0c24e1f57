from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.db.models.functions import Left

from annotation.models import Annotation, Document, Relation
from annotation.pure.content import LabelSpec, Schema
from projects.cache_keys import label_schema
from projects.models import LabelKind, Project


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


def document_list(*, project: Project, status: str | None = None) -> QuerySet[Document]:
    docs = project.documents.defer("pii").order_by("id")
    return docs.filter(status=status) if status else docs


@dataclass(frozen=True)
class DocumentPage:
    documents: Sequence[Document]
    next_after: int | None  # ?after= for the next page
    prev_before: int | None  # ?before= for the previous page


LIST_FIELDS = ("id", "project_id", "external_id", "status", "created_at")
PREVIEW_CHARS = 160


def document_page(*, project: Project, status: str | None = None, after: int | None = None,
                  before: int | None = None, size: int = 50) -> DocumentPage:
    """A keyset page of the document list: no COUNT and no OFFSET, so every page costs
    the same whatever the project's size."""
    docs = (document_list(project=project, status=status).only(*LIST_FIELDS)
            .annotate(preview=Left("text", PREVIEW_CHARS)))
    if before is not None:
        rows = list(docs.filter(id__lt=before).order_by("-id")[:size + 1])
        more_before, rows = len(rows) > size, rows[:size][::-1]
        return DocumentPage(rows, rows[-1].pk if rows else None,
                            rows[0].pk if rows and more_before else None)
    if after is not None:
        docs = docs.filter(id__gt=after)
    rows = list(docs[:size + 1])
    more_after, rows = len(rows) > size, rows[:size]
    return DocumentPage(rows, rows[-1].pk if rows and more_after else None,
                        rows[0].pk if rows and after is not None else None)


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

