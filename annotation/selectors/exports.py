"""The native records of a project, streamed from the database for exports.

Documents come through a server-side cursor; their annotations, spans, relations and
sentiment are read per chunk of documents with a few set-based queries, so memory stays
constant whatever the project's size.
"""

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.conf import settings

from annotation.models import (
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    DocumentStatus,
    Relation,
    SentimentChoice,
    Span,
)
from projects.models import Job, JobKind, JobStatus, Project
from projects.selectors import live_progress

CHUNK = 1000
SCOPES = ("gold", "all")


def pseudonym(project: Project, username: str) -> str:
    """A stable stand-in for an annotator's name: the same in every export of the project,
    and not reversible without the server's secret."""
    key = f"{settings.SECRET_KEY}:{project.pk}".encode()
    return "annotator-" + hmac.new(key, username.encode(), hashlib.sha256).hexdigest()[:10]


def _content(ann: int, text: str, spans: dict, relations: dict, sentiment: dict,
             multi: bool) -> dict[str, Any]:
    ids: dict[int, str] = {}
    entities = []
    for n, (span_id, start, end, label) in enumerate(spans.get(ann, ()), start=1):
        ids[span_id] = f"T{n}"
        entities.append({"id": f"T{n}", "start": start, "end": end, "label": label,
                         "text": text[start:end]})
    chosen = sentiment.get(ann, [])
    return {"entities": entities,
            "relations": [{"head": ids[h], "tail": ids[t], "label": label}
                          for h, t, label in relations.get(ann, ())],
            "sentiment": chosen if multi else (chosen[0] if chosen else None)}


def _labelled(ann_ids: list[int], names: dict[int, str]) -> tuple[dict, dict, dict]:
    spans: dict[int, list] = defaultdict(list)
    for ann, span_id, start, end, label in (
            Span.objects.filter(annotation_id__in=ann_ids)
            .order_by("annotation_id", "start", "end", "id")
            .values_list("annotation_id", "id", "start", "end", "label_id")):
        spans[ann].append((span_id, start, end, names[label]))
    relations: dict[int, list] = defaultdict(list)
    for ann, head, tail, label in (Relation.objects.filter(annotation_id__in=ann_ids)
                                   .order_by("annotation_id", "id")
                                   .values_list("annotation_id", "head_id", "tail_id",
                                                "label_id")):
        relations[ann].append((head, tail, names[label]))
    sentiment: dict[int, list] = defaultdict(list)
    for ann, label in (SentimentChoice.objects.filter(annotation_id__in=ann_ids)
                       .order_by("annotation_id", "label__order", "label_id")
                       .values_list("annotation_id", "label_id")):
        sentiment[ann].append(names[label])
    return spans, relations, sentiment


def _records(project: Project, docs: list[tuple], scope: str, pseudonymize: bool,
             names: dict[int, str]) -> list[dict[str, Any]]:
    kinds = [AnnotationKind.GOLD] if scope == "gold" else list(AnnotationKind.values)
    rows = list(Annotation.objects.filter(document_id__in=[d[0] for d in docs], kind__in=kinds)
                .exclude(kind=AnnotationKind.ANNOTATION, status=AnnotationStatus.DRAFT)
                .order_by("document_id", "annotator__username", "id")
                .values_list("id", "document_id", "kind", "annotator__username"))
    spans, relations, sentiment = _labelled([r[0] for r in rows], names)
    by_doc: dict[int, list] = defaultdict(list)
    for row in rows:
        by_doc[row[1]].append(row)
    multi = project.sentiment_multi_label
    out = []
    for pk, external_id, text, meta in docs:
        record: dict[str, Any] = {"id": external_id or str(pk), "text": text, "meta": meta}
        if scope == "all":
            record["annotations"] = []
        for ann, _doc, kind, username in by_doc.get(pk, ()):
            content = _content(ann, text, spans, relations, sentiment, multi)
            if kind == AnnotationKind.ANNOTATION:
                who = pseudonym(project, username) if pseudonymize else username
                record["annotations"].append({"annotator": who, **content})
            else:
                record["gold" if kind == AnnotationKind.GOLD else "predictions"] = content
        out.append(record)
    return out


def export_records(*, project: Project, scope: str = "gold",
                   pseudonymize: bool = False) -> Iterator[dict[str, Any]]:
    """Native records: `gold` gives the reviewed documents with their gold; `all` gives
    every document with every submitted annotation, the gold and the predictions."""
    names = dict(project.labels.values_list("id", "name"))
    docs = project.documents.order_by("id")
    if scope == "gold":
        docs = docs.filter(status=DocumentStatus.REVIEWED)
    rows = docs.values_list("id", "external_id", "text", "meta").iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        yield from _records(project, chunk, scope, pseudonymize, names)



def building_exports(*, project: Project) -> list[Job]:
    """Export jobs still queued or running, with their live progress."""
    jobs = Job.objects.filter(project=project, kind=JobKind.EXPORT,
                              status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    return [live_progress(job) for job in jobs]
