"""Reads for the agreement dashboard and the balance view: parts of the stored reports only.

Nothing here counts annotations: the agreement job did that and stored the numbers in its
report. Each read takes the JSON keys it needs (the database extracts them), so a page does
not decode the parts of the report it does not show, and the trend takes a handful of
numbers per report rather than whole reports.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Substr
from django.http import Http404

from annotation.models import AgreementReport, DocumentDisagreement
from projects.models import Job, JobKind, Project
from projects.selectors import live_progress

SUMMARY: dict[str, tuple[str, ...]] = {
    **{k: (k,) for k in ("annotators", "sentiment", "entities", "relations", "notes",
                         "settings")},
    "label_order": ("balance", "labels"),  # JSON objects may come back with keys reordered
}
TREND: dict[str, tuple[str, ...]] = {
    "sentiment_alpha": ("sentiment", "krippendorff_alpha", "nominal"),
    "sentiment_alpha_masi": ("sentiment", "krippendorff_alpha", "masi"),
    "sentiment_kappa": ("sentiment", "cohen_kappa", "mean"),
    "percent_agreement": ("sentiment", "percent_agreement"),
    "entity_f1": ("entities", "f1_exact", "mean"),
    "relation_f1": ("relations", "f1", "mean"),
}
TREND_POINTS = 60


@dataclass
class Stored:
    """The parts of one stored report a page shows."""

    pk: int
    computed_at: datetime
    documents: int
    data: dict[str, Any]


def _key(*path: str) -> KeyTransform:
    node: Any = "report"
    for name in path:
        node = KeyTransform(name, node)
    return node


def _latest(project: Project, keys: dict[str, tuple[str, ...]]) -> Stored | None:
    found = (AgreementReport.objects.filter(project=project)
             .values("pk", "computed_at", "documents", **{k: _key(*p) for k, p in keys.items()})
             .first())
    if found is None:
        return None
    row: dict[str, Any] = dict(found)
    return Stored(pk=row.pop("pk"), computed_at=row.pop("computed_at"),
                  documents=row.pop("documents"), data=row)


def agreement_summary(*, project: Project) -> Stored | None:
    """The latest report without its balance part."""
    return _latest(project, SUMMARY)


def agreement_trend(*, project: Project, limit: int = TREND_POINTS) -> list[dict[str, Any]]:
    """The headline numbers of the last `limit` reports, oldest first."""
    rows = (AgreementReport.objects.filter(project=project)
            .values("computed_at", "documents", **{k: _key(*p) for k, p in TREND.items()})
            [:limit])
    return [dict(row) for row in list(rows)[::-1]]


def top_disagreements(*, report_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """The documents annotators disagreed on most in a report, with their first 91 characters
    (the page cuts them to 90 with an ellipsis)."""
    rows = (DocumentDisagreement.objects.filter(report_id=report_id)
            .order_by("-score", "document_id")
            .values("document_id", "score", external_id=F("document__external_id"),
                    preview=Substr("document__text", 1, 91))[:limit])
    return [dict(row) for row in rows]


def balance_summary(*, project: Project) -> Stored | None:
    """The latest report's balance part, with the headline numbers to compare slices to."""
    stored = _latest(project, {"balance": ("balance",)})
    if stored is None:
        return None
    overall = (AgreementReport.objects.filter(pk=stored.pk)
               .values(**{k: _key(*p) for k, p in TREND.items()}).first())
    stored.data["overall_agreement"] = overall or {}
    return stored


def agreement_job(*, project: Project, job_id: int) -> Job:
    """One agreement job of the project, with its live progress (404 for any other job)."""
    job = Job.objects.filter(pk=job_id, project=project, kind=JobKind.AGREEMENT).first()
    if job is None:
        raise Http404("No such job.")
    return live_progress(job)
