"""Reads for gold checks: the checks of a project, the documents that could become checks,
a gold's content for scoring, and the scores per annotator (managers only)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    FloatField,
    OuterRef,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Left

from annotation.models import (
    Annotation,
    AnnotationKind,
    Document,
    DocumentStatus,
    GoldCheckScore,
    Relation,
    SentimentChoice,
)
from annotation.pure.content import Content
from projects.models import Project

PREVIEW_CHARS = 120


def with_gold(documents: QuerySet[Document]) -> QuerySet[Document]:
    gold = Annotation.objects.filter(document=OuterRef("pk"), kind=AnnotationKind.GOLD)
    return documents.filter(status=DocumentStatus.REVIEWED).filter(Exists(gold))


def gold_checks(*, project: Project) -> QuerySet[Document]:
    """The project's checks, in id order, with a preview of their text."""
    return (project.documents.filter(is_gold_check=True).order_by("id")
            .only("id", "project_id", "external_id", "status")
            .annotate(preview=Left("text", PREVIEW_CHARS)))


@dataclass(frozen=True)
class CheckList:
    documents: Sequence[Document]  # each with `answered`: how many annotators submitted it
    more: bool  # more checks than `limit`


def gold_check_list(*, project: Project, limit: int = 500) -> CheckList:
    rows = list(gold_checks(project=project)[:limit + 1])
    answered = dict(GoldCheckScore.objects.filter(document__in=[d.pk for d in rows[:limit]])
                    .order_by().values_list("document_id").annotate(n=Count("pk")))
    for doc in rows:
        doc.answered = answered.get(doc.pk, 0)  # type: ignore[attr-defined]
    return CheckList(rows[:limit], len(rows) > limit)


@dataclass(frozen=True)
class CandidatePage:
    documents: Sequence[Document]
    next_after: int | None


def check_candidates(*, project: Project, after: int | None = None, size: int = 25
                     ) -> CandidatePage:
    """Reviewed documents with gold that are not checks yet, in id order, a keyset page."""
    docs = with_gold(project.documents.filter(is_gold_check=False)).order_by("id")
    if after is not None:
        docs = docs.filter(id__gt=after)
    rows = list(docs.only("id", "project_id", "external_id", "status")
                .annotate(preview=Left("text", PREVIEW_CHARS))[:size + 1])
    return CandidatePage(rows[:size], rows[size - 1].pk if len(rows) > size else None)


def gold_content(*, document: Document) -> tuple[Content, int] | None:
    """The document's gold as validated content (spans in offset order) and its version."""
    gold = (Annotation.objects.filter(document=document, kind=AnnotationKind.GOLD)
            .only("pk", "version").first())
    if gold is None:
        return None
    spans = list(gold.spans.order_by("start", "end", "id").values_list("pk", "start", "end",
                                                                       "label_id"))
    index = {pk: i for i, (pk, _, _, _) in enumerate(spans)}
    relations = Relation.objects.filter(annotation=gold).order_by("id").values_list(
        "head_id", "tail_id", "label_id")
    sentiment = SentimentChoice.objects.filter(annotation=gold).values_list("label_id",
                                                                            flat=True)
    return Content(entities=[(s, e, lb) for _, s, e, lb in spans],
                   relations=[(index[h], index[t], lb) for h, t, lb in relations],
                   sentiment=sorted(sentiment)), gold.version


def check_scores(*, project: Project) -> dict[int, dict[str, Any]]:
    """Per annotator (user id): checks answered, mean entity and relation F1, and the share
    of checks with the gold's sentiment; one GROUP BY over the scores' (project, annotator)
    index. Only documents that are checks now count: unmarking a check drops its scores
    from the figures (they are kept, and count again if it is marked again)."""
    rows = (GoldCheckScore.objects.filter(project=project, document__is_gold_check=True)
            .values("annotator_id").order_by()
            .annotate(checks=Count("pk"), entity_f1=Avg("entity_f1"),
                      relation_f1=Avg("relation_f1"),
                      sentiment=Avg(Case(When(sentiment_correct=True, then=Value(1.0)),
                                         When(sentiment_correct=False, then=Value(0.0)),
                                         output_field=FloatField()))))
    return {row["annotator_id"]: {k: v for k, v in row.items() if k != "annotator_id"}
            for row in rows}
