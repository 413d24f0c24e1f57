"""Agreement reports: started on demand or after submissions (debounced), computed by a
Celery job from the submitted annotations, stored with their history."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotation.models import AgreementReport, DocumentDisagreement, DocumentPosterior
from annotation.pure.reliability.corpus import sentiment_quality
from annotation.selectors.agreement import agreement_corpus
from annotation.services.agreement.balance import balance
from annotation.services.agreement.input import agents_part, compute
from projects.models import Job, JobKind, JobStatus, Project
from projects.services.dispatch import AGREEMENT_AUTO_TASK, task_named
from projects.services.jobs import ProgressFn, job_create

UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


@transaction.atomic
def agreement_start(*, project: Project, by: User | None) -> Job:
    """Start a recomputation, unless one is already queued or running: at most one per
    project in flight, so that one is returned instead."""
    Project.objects.select_for_update().filter(pk=project.pk).exists()
    running = Job.objects.filter(project=project, kind=JobKind.AGREEMENT,
                                 status__in=UNFINISHED).first()
    if running is not None:
        return running
    return job_create(project=project, kind=JobKind.AGREEMENT, by=by)


def agreement_schedule(*, project_id: int) -> bool:
    """After a submission: queue one automatic run, at most one per
    CONCORD_AGREEMENT_DEBOUNCE seconds per project. Returns whether one was queued."""
    delay = settings.CONCORD_AGREEMENT_DEBOUNCE
    if delay <= 0 or not cache.add(f"agreement-scheduled:{project_id}", 1, timeout=delay):
        return False
    transaction.on_commit(lambda: task_named(AGREEMENT_AUTO_TASK).apply_async(
        (project_id,), countdown=delay))
    return True


def agreement_auto(*, project_id: int) -> Job | None:
    project = Project.objects.filter(pk=project_id, deleted_at__isnull=True).first()
    return agreement_start(project=project, by=None) if project else None


def agreement_run(*, job: Job, progress: ProgressFn) -> dict:
    project = job.project
    assert project is not None
    progress(0.05, _("Reading the submitted annotations"))
    stored = agreement_corpus(project=project)
    progress(0.4, _("Computing the statistics"))
    result = compute(project=project, stored=stored)
    progress(0.6, _("Measuring the agents against gold and the annotators"))
    result.report["agents"] = agents_part(project=project, result=result)
    progress(0.7, _("Counting labels per meta field"))
    result.report["balance"] = balance(project=project, stored=stored, corpus=result.corpus,
                                       meta=result.meta)
    progress(0.8, _("Estimating each annotator's reliability"))
    quality, posteriors = sentiment_quality(result.corpus, multi_label=result.meta.multi_label)
    result.report["quality"] = {"sentiment": quality}
    progress(0.9, _("Storing the report"))
    report = _store(project, job, result.report, result.scores, posteriors)
    return {"report": report.pk, "documents": report.documents}


@transaction.atomic
def _store(project: Project, job: Job, report: dict, scores: list[tuple[int, float]],
           posteriors: list[tuple[Any, dict[str, float]]]) -> AgreementReport:
    now = timezone.now()
    stored = AgreementReport.objects.create(
        project=project, job=job, computed_at=now, documents=report.get("documents", 0),
        report={**report, "computed_at": now.isoformat()})
    DocumentDisagreement.objects.bulk_create(
        [DocumentDisagreement(report=stored, document_id=doc, score=score)
         for doc, score in scores], batch_size=5000)
    # Only the latest report's posteriors are read (the quality API): the earlier ones go,
    # so a project's table holds one row per rated document, not one per run.
    DocumentPosterior.objects.filter(report__project=project).delete()
    DocumentPosterior.objects.bulk_create(
        [DocumentPosterior(report=stored, document_id=doc, posterior=posterior)
         for doc, posterior in posteriors], batch_size=5000)
    return stored
