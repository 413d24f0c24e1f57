"""The progress dashboard's figures, precomputed.

Counting a large project's documents, assignments and submissions takes a few hundred
milliseconds at 100,000 documents, too slow for a page. The figures are computed in the
background into one `ProgressSnapshot` row per project, and the dashboard reads that row:
when it is older than CONCORD_PROGRESS_MAX_AGE seconds, a view queues a recomputation (at
most one per project in that window) and shows the figures it has with their time. Only a
project that has no snapshot yet is counted during the request, once.
"""

from collections import defaultdict
from datetime import timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from annotation.models import (
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    DocumentStatus,
    ProgressSnapshot,
)
from annotation.pure.progress import group_medians
from annotation.selectors.progress import ProjectBar, project_bars
from projects.models import Project
from projects.services.dispatch import PROGRESS_TASK, task_named

CHUNK = 20_000


def _submitted(project: Project) -> Any:
    return Annotation.objects.filter(project=project, kind=AnnotationKind.ANNOTATION,
                                     status=AnnotationStatus.SUBMITTED)


def progress_compute(*, project: Project) -> dict[str, Any]:
    """The figures: documents by status, per annotator (submitted and skipped assignments,
    median seconds over the submissions that recorded time), submissions per day."""
    statuses = dict(project.documents.order_by().values_list("status").annotate(n=Count("pk")))
    documents = {s: statuses.get(s, 0) for s in DocumentStatus.values}
    per: dict[int, dict[str, Any]] = defaultdict(lambda: {"submitted": 0, "skipped": 0})
    for user_id, status, n in (Assignment.objects.filter(project=project).order_by()
                               .values_list("annotator_id", "status").annotate(n=Count("pk"))):
        row = per[user_id]  # someone with only leases still gets a row
        if status in (AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED):
            row[status] += n
    timed = (_submitted(project).filter(seconds_spent__gt=0).order_by()
             .values_list("annotator_id", "seconds_spent").iterator(chunk_size=CHUNK))
    pairs = np.fromiter((v for row in timed for v in row), dtype=np.float64).reshape(-1, 2)
    medians = group_medians(pairs[:, 0].astype(np.int64), pairs[:, 1])
    days = (_submitted(project).exclude(submitted_at=None)
            .annotate(day=TruncDate("submitted_at")).order_by("day")
            .values_list("day").annotate(n=Count("pk")))
    return {
        "documents": {**documents, "total": sum(statuses.values())},
        "gold_checks": project.documents.filter(is_gold_check=True).count(),
        "annotators": [{"id": uid, **row, "median_seconds": medians.get(uid)}
                       for uid, row in sorted(per.items())],
        "per_day": [{"day": day.isoformat(), "submitted": n} for day, n in days],
    }


@transaction.atomic
def progress_refresh(*, project_id: int) -> ProgressSnapshot | None:
    """Recompute a project's figures and store them; None for a missing or deleted project."""
    project = Project.objects.filter(pk=project_id, deleted_at__isnull=True).first()
    if project is None:
        return None
    now = timezone.now()
    data = progress_compute(project=project)
    snapshot, _created = ProgressSnapshot.objects.update_or_create(
        project=project, defaults={"computed_at": now, "data": data})
    return snapshot


def progress_schedule(*, project_id: int) -> bool:
    """Queue a recomputation unless one was queued in the last CONCORD_PROGRESS_MAX_AGE
    seconds. Returns whether one was queued."""
    if not cache.add(f"progress-scheduled:{project_id}", 1,
                     timeout=max(1, settings.CONCORD_PROGRESS_MAX_AGE)):
        return False
    transaction.on_commit(lambda: task_named(PROGRESS_TASK).delay(project_id))
    return True


def progress_current(*, project: Project) -> tuple[ProgressSnapshot, bool]:
    """The project's figures and whether a newer computation is on its way. A project with
    no figures yet is counted now; stale figures are returned at once and refreshed in the
    background."""
    snapshot = ProgressSnapshot.objects.filter(project=project).first()
    if snapshot is None:
        fresh = progress_refresh(project_id=project.pk)
        assert fresh is not None  # the caller holds a live project
        return fresh, False
    age = (timezone.now() - snapshot.computed_at).total_seconds()
    if age <= settings.CONCORD_PROGRESS_MAX_AGE:
        return snapshot, False
    progress_schedule(project_id=project.pk)
    return snapshot, True


def progress_bars_fresh(*, project_ids: list[int]) -> dict[int, ProjectBar]:
    """The project list's bars from the stored figures; figures missing or older than
    CONCORD_PROGRESS_MAX_AGE are counted again in the background (debounced), so a list of
    large projects never counts anything in the request."""
    bars = project_bars(project_ids=project_ids)
    stale = timezone.now() - timedelta(seconds=settings.CONCORD_PROGRESS_MAX_AGE)
    for project_id in project_ids:
        bar = bars.get(project_id)
        if bar is None or bar.computed_at < stale:
            progress_schedule(project_id=project_id)
    return bars


def progress_invalidate(*, project_id: int) -> None:
    """Drop the project's stored figures after a change a manager waits to see (gold checks
    made, documents deleted or assigned): the dashboard counts them again when next opened,
    instead of showing the old ones for up to CONCORD_PROGRESS_MAX_AGE seconds."""
    ProgressSnapshot.objects.filter(project_id=project_id).delete()
    cache.delete(f"progress-scheduled:{project_id}")
