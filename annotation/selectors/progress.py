"""The progress dashboard: the stored figures, with names, gold-check scores and agreement.

What a reader sees depends on their rights (docs/permissions.md): everyone with `progress`
sees documents by status and submissions per day; `see_others` adds the per-annotator
table; `manage` adds its gold-check columns. Every read here is a handful of small
queries: the snapshot row, the names, a GROUP BY over the check scores, and the pairwise
lists of the latest agreement report (read out of its JSON by the database).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from annotation.models import AgreementReport, ProgressSnapshot
from annotation.pure.progress import agreement_with_others
from annotation.selectors.gold_checks import check_scores
from annotation.selectors.identities import annotator_labels
from projects.models import Membership, Project, Role

WINDOW_DAYS = 30
# Task -> (agreement section key, the pairwise statistic's path in the report).
AGREEMENT = {"ner": ("entities", "report__entities__f1_exact__pairs"),
             "relations": ("relations", "report__relations__f1__pairs"),
             "sentiment": ("sentiment", "report__sentiment__cohen_kappa__pairs")}


@dataclass(frozen=True)
class Day:
    day: date
    submitted: int


@dataclass(frozen=True)
class AnnotatorRow:
    annotator: str
    submitted: int
    skipped: int
    median_seconds: float | None
    agreement: dict[str, float | None]  # section -> mean pairwise value with the others
    checks: dict[str, Any] | None  # managers only: checks, entity_f1, relation_f1, sentiment


@dataclass(frozen=True)
class Dashboard:
    computed_at: datetime
    updating: bool
    documents: dict[str, int]
    gold_checks: int
    days: list[Day]  # the last WINDOW_DAYS days up to the latest submission, zeros included
    total_submitted: int
    agreement_at: datetime | None
    sections: list[str]  # the agreement sections of the project's tasks
    annotators: list[AnnotatorRow] | None  # None: the reader may not see per-annotator data
    show_checks: bool


def _days(per_day: list[dict[str, Any]]) -> list[Day]:
    counts = {date.fromisoformat(row["day"]): row["submitted"] for row in per_day}
    end = max(counts) if counts else date.today()  # noqa: DTZ011 - the server's days
    return [Day(d, counts.get(d, 0)) for d in
            (end - timedelta(days=n) for n in range(WINDOW_DAYS - 1, -1, -1))]


def _names(project: Project, ids: set[int]) -> dict[int, str]:
    members = Membership.objects.filter(project=project, role=Role.ANNOTATOR)
    ids |= set(members.values_list("user_id", flat=True))
    return annotator_labels(user_ids=ids)


def _agreement(project: Project, sections: list[str]) -> tuple[datetime | None, dict]:
    paths = {key: path for task, (key, path) in AGREEMENT.items() if key in sections}
    if not paths:
        return None, {}
    row = (AgreementReport.objects.filter(project=project).order_by("-computed_at", "-id")
           .values("computed_at", *paths.values()).first())
    if row is None:
        return None, {}
    return row["computed_at"], {key: row[path] for key, path in paths.items()}


def progress_dashboard(*, project: Project, snapshot: ProgressSnapshot, updating: bool,
                       team: bool, checks: bool) -> Dashboard:
    """The dashboard from a snapshot; `team`: with the per-annotator table, `checks`: with
    its gold-check columns."""
    data = snapshot.data
    sections = [AGREEMENT[t][0] for t in AGREEMENT if t in project.tasks]
    days = _days(data.get("per_day", []))
    agreement_at, pairs = _agreement(project, sections) if team else (None, {})
    annotators = None
    if team:
        rows = {row["id"]: row for row in data.get("annotators", [])}
        names = _names(project, set(rows))
        scores = check_scores(project=project) if checks else {}
        annotators = [AnnotatorRow(
            annotator=name, submitted=rows.get(uid, {}).get("submitted", 0),
            skipped=rows.get(uid, {}).get("skipped", 0),
            median_seconds=rows.get(uid, {}).get("median_seconds"),
            agreement={key: agreement_with_others(pairs.get(key), name) for key in sections},
            checks=scores.get(uid, {"checks": 0, "entity_f1": None, "relation_f1": None,
                                    "sentiment": None}) if checks else None)
            for uid, name in sorted(names.items(), key=lambda kv: kv[1])]
    return Dashboard(computed_at=snapshot.computed_at, updating=updating,
                     documents=data.get("documents", {}), gold_checks=data.get("gold_checks", 0),
                     days=days, total_submitted=sum(r["submitted"]
                                                    for r in data.get("per_day", [])),
                     agreement_at=agreement_at, sections=sections, annotators=annotators,
                     show_checks=checks)


def dashboard_json(dashboard: Dashboard) -> dict[str, Any]:
    """The API's answer: the same figures; keys a reader may not see are left out."""
    out: dict[str, Any] = {
        "computed_at": dashboard.computed_at, "updating": dashboard.updating,
        "documents": dashboard.documents, "gold_checks": dashboard.gold_checks,
        "per_day": [{"day": d.day, "submitted": d.submitted} for d in dashboard.days]}
    if dashboard.annotators is not None:
        out["agreement_computed_at"] = dashboard.agreement_at
        out["annotators"] = [{
            "annotator": row.annotator, "submitted": row.submitted, "skipped": row.skipped,
            "median_seconds": row.median_seconds, "agreement": row.agreement,
            **({"gold_checks": row.checks} if row.checks is not None else {})}
            for row in dashboard.annotators]
    return out


@dataclass(frozen=True)
class ProjectBar:
    done: int  # documents annotated by k annotators or reviewed
    total: int
    computed_at: datetime

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def project_bars(*, project_ids: list[int]) -> dict[int, ProjectBar]:
    """The stored figures' done and total documents of each project that has figures: one
    query, whatever the projects' sizes (the figures are counted in the background)."""
    rows = (ProgressSnapshot.objects.filter(project_id__in=project_ids)
            .values_list("project_id", "computed_at", "data__documents"))
    out = {}
    for project_id, computed_at, documents in rows:
        documents = documents or {}
        done = int(documents.get("annotated", 0)) + int(documents.get("reviewed", 0))
        out[project_id] = ProjectBar(done, int(documents.get("total", 0)), computed_at)
    return out
