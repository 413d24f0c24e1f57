"""Reads for adjudication: a document's labellings read in bulk, its gold, the gold's history."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

from annotation.models import (
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Document,
    GoldRevision,
    Relation,
    SentimentChoice,
    Span,
)
from annotation.pure.review import Change, change
from annotation.selectors.identities import IMPORTED_NAME, annotator_label


@dataclass(frozen=True)
class Labelling:
    """One annotator's annotation of a document, in the native shape."""

    annotator: str
    status: str
    version: int
    updated_at: datetime
    content: dict[str, Any]


def _contents(document: Document, ids: list[int], multi: bool) -> dict[int, dict[str, Any]]:
    """The native content of the annotations `ids` of one document: three queries."""
    text = document.text
    spans: dict[int, list[tuple[int, int, int, str]]] = defaultdict(list)
    for pk, ann, start, end, label in (Span.objects.filter(annotation_id__in=ids)
                                       .order_by("annotation_id", "start", "end", "id")
                                       .values_list("id", "annotation_id", "start", "end",
                                                    "label__name")):
        spans[ann].append((pk, start, end, label))
    relations: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for ann, head, tail, label in (Relation.objects.filter(annotation_id__in=ids).order_by("id")
                                   .values_list("annotation_id", "head_id", "tail_id",
                                                "label__name")):
        relations[ann].append((head, tail, label))
    sentiment: dict[int, list[str]] = defaultdict(list)
    for ann, label in (SentimentChoice.objects.filter(annotation_id__in=ids)
                       .order_by("label__order", "label_id")
                       .values_list("annotation_id", "label__name")):
        sentiment[ann].append(label)
    out = {}
    for ann in ids:
        tid = {pk: f"T{n}" for n, (pk, *_rest) in enumerate(spans[ann], start=1)}
        chosen = sentiment[ann]
        out[ann] = {
            "entities": [{"id": tid[pk], "start": s, "end": e, "label": lb, "text": text[s:e]}
                         for pk, s, e, lb in spans[ann]],
            "relations": [{"head": tid[h], "tail": tid[t], "label": lb}
                          for h, t, lb in relations[ann]],
            "sentiment": chosen if multi else (chosen[0] if chosen else None)}
    return out


def document_labellings(*, document: Document, submitted_only: bool = True) -> list[Labelling]:
    """Every annotator's annotation of a document (submitted ones only by default), by
    username: four queries whatever their number."""
    rows = Annotation.objects.filter(document=document, kind=AnnotationKind.ANNOTATION)
    if submitted_only:
        rows = rows.filter(status=AnnotationStatus.SUBMITTED)
    found = list(rows.order_by("annotator__username")
                 .values_list("id", "annotator__username", IMPORTED_NAME, "status", "version",
                              "updated_at"))
    contents = _contents(document, [r[0] for r in found], document.project.sentiment_multi_label)
    return [Labelling(annotator=annotator_label(name, imported), status=status, version=version,
                      updated_at=updated, content=contents[pk])
            for pk, name, imported, status, version, updated in found]


def gold_of(*, document: Document) -> dict[str, Any]:
    """The document's gold with its version; an empty one at version 0 when there is none."""
    multi = document.project.sentiment_multi_label
    gold = (Annotation.objects.filter(document=document, kind=AnnotationKind.GOLD)
            .values_list("id", "version", "annotator__username", "updated_at").first())
    if gold is None:
        return {"entities": [], "relations": [], "sentiment": [] if multi else None,
                "version": 0, "updated_by": None, "updated_at": None}
    pk, version, by, updated = gold
    return {**_contents(document, [pk], multi)[pk], "version": version, "updated_by": by,
            "updated_at": updated}


@dataclass(frozen=True)
class Revision:
    version: int
    source: str
    by: str | None
    created_at: datetime
    content: dict[str, Any]
    change: Change  # against the revision before it


def gold_revisions(*, document: Document, limit: int = 100) -> list[Revision]:
    """The gold's saved states, newest first, each with what it changed."""
    rows = list(GoldRevision.objects.filter(document=document).order_by("-version")
                .values_list("version", "source", "by__username", "created_at", "content")
                [:limit + 1])
    out = []
    for i, (version, source, by, created, content) in enumerate(rows[:limit]):
        before = rows[i + 1][4] if i + 1 < len(rows) else None
        out.append(Revision(version=version, source=source, by=by, created_at=created,
                            content=content, change=change(before, content)))
    return out


def has_gold(*, document_id: int) -> bool:
    return Annotation.objects.filter(Q(document_id=document_id),
                                     Q(kind=AnnotationKind.GOLD)).exists()


def own_content(*, document: Document, user: Any) -> tuple[int, dict[str, Any]]:
    """The version and native content of the user's own annotation of the document (0 and
    an empty one when there is none), read as plain rows: four small queries."""
    found = (Annotation.objects.filter(document=document, annotator=user,
                                       kind=AnnotationKind.ANNOTATION)
             .values_list("id", "version").first())
    multi = document.project.sentiment_multi_label
    if found is None:
        return 0, {"entities": [], "relations": [], "sentiment": [] if multi else None}
    pk, version = found
    return version, _contents(document, [pk], multi)[pk]
