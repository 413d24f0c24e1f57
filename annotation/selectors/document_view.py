"""Everything the document manager shows of one document: its text with each annotator's
labels and the gold, who held it and how it went, the gold's history, the agents'
suggestions and the document's agreement. An annotator's view holds their own labels only."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from annotation.models import AgreementReport, Assignment, Document, DocumentDisagreement
from annotation.pure.highlight import Piece, pieces
from annotation.selectors.agents import suggestions_for
from annotation.selectors.gold import Revision, document_labellings, gold_of, gold_revisions
from annotation.selectors.identities import annotator_label
from projects.permissions import Access, Right


@dataclass(frozen=True)
class Lane:
    """One annotation (or the gold) as the page shows it."""

    title: str
    status: str
    version: int
    updated_at: datetime | None
    pieces: list[Piece]
    entities: list[dict[str, Any]]
    relations: list[dict[str, Any]]
    sentiment: list[str]


@dataclass(frozen=True)
class Holding:
    annotator: str
    status: str
    created_at: datetime
    finished_at: datetime | None
    skip_reason: str


@dataclass(frozen=True)
class DocumentView:
    document: Document
    lanes: list[Lane]
    gold: Lane | None
    holdings: list[Holding] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    suggestions: dict[str, list[dict]] = field(default_factory=dict)
    agreement: float | None = None


def _lane(title: str, status: str, version: int, updated: datetime | None,
          content: dict[str, Any], text: str) -> Lane:
    entities = content.get("entities", [])
    by_id = {e.get("id"): e for e in entities}
    relations = [{"label": r["label"], "head": by_id.get(r["head"], {}).get("text", ""),
                  "tail": by_id.get(r["tail"], {}).get("text", "")}
                 for r in content.get("relations", [])]
    sentiment = content.get("sentiment")
    return Lane(title, status, version, updated,
                pieces(text, ((e["start"], e["end"], e["label"]) for e in entities)),
                entities, relations,
                [] if sentiment is None else [sentiment] if isinstance(sentiment, str)
                else list(sentiment))


def _agreement(document: Document) -> float | None:
    report = (AgreementReport.objects.filter(project_id=document.project_id)
              .values_list("pk", flat=True).first())
    score = (DocumentDisagreement.objects.filter(report_id=report, document=document)
             .values_list("score", flat=True).first()) if report else None
    return None if score is None else 1.0 - score


def _holdings(document: Document, user: User | None) -> list[Holding]:
    rows = Assignment.objects.filter(document=document).order_by("created_at", "id")
    if user is not None:
        rows = rows.filter(annotator=user)
    return [Holding(annotator_label(name, imported), status, created, finished, reason)
            for name, imported, status, created, finished, reason in rows.values_list(
                "annotator__username", "annotator__imported_identity__name", "status",
                "created_at", "finished_at", "skip_reason")]


def document_view(*, access: Access, user: User, document: Document) -> DocumentView:
    """What `access` may see of the document: others' annotations, the gold, its history
    and suggestions for those who may see others' work; an annotator's own labels only."""
    text = document.text
    everyone = access.can(Right.SEE_OTHERS)
    labellings = document_labellings(document=document, submitted_only=False)
    if not everyone:
        labellings = [lab for lab in labellings if lab.annotator == user.username]
    lanes = [_lane(lab.annotator, lab.status, lab.version, lab.updated_at, lab.content, text)
             for lab in labellings]
    if not everyone:
        return DocumentView(document, lanes, None, _holdings(document, user))
    gold = gold_of(document=document)
    gold_lane = _lane("gold", "gold", gold["version"], gold["updated_at"], gold, text) \
        if gold["version"] else None
    return DocumentView(document, lanes, gold_lane, _holdings(document, None),
                        gold_revisions(document=document, limit=20),
                        suggestions_for(project=access.project, document=document),
                        _agreement(document) if access.can(Right.AGREEMENT) else None)
