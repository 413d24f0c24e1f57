"""Training runs: a job per run (its own queue, one at a time), started on demand or after
every `train_every` new gold documents. Each trained agent gets a new version with its
cross-validated metrics; the version is switched on only when its F1 reaches the project's
threshold, and then in one transaction at the end, so a run that dies midway leaves the
previous version in use."""

import importlib
import time
from functools import partial
from types import ModuleType

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from annotation.models import Agent, AgentKind, AgentVersion
from annotation.pure.assist.base import Trained
from annotation.selectors.agents import GoldCorpus, built_in_for, gold_corpus, gold_count
from annotation.services.agents.artifacts import artifact_write, artifacts_sweep
from annotation.services.agents.registry import agent_ensure
from projects.errors import ServiceError
from projects.models import AuditAction, Job, JobKind, JobStatus, Label, LabelKind, Project
from projects.services.audit import audit_record
from projects.services.dispatch import SUGGEST_TASK, TRAINING_AUTO_TASK, task_named
from projects.services.jobs import ProgressFn, job_create

UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)
MODULES = (AgentKind.DICTIONARY, AgentKind.CRF, AgentKind.SENTIMENT, AgentKind.RELATION)


def model_module(kind: str) -> ModuleType:
    """The pure module that trains and runs an agent of `kind`, imported when first needed
    (web processes never load scikit-learn or crfsuite)."""
    return importlib.import_module(f"annotation.pure.assist.{kind}")


@transaction.atomic
def training_start(*, project: Project, by: User | None, agents: list[str] | None = None
                   ) -> Job:
    """Queue a training run of `agents` (default: every built-in agent the project's tasks
    call for). At most one run per project is in flight: a second request gets that one."""
    names = agents if agents is not None else built_in_for(project)
    unknown = [name for name in names if name not in built_in_for(project)]
    if unknown:
        raise ServiceError.field("agent", _("%(name)s is not a model this project trains.")
                                 % {"name": unknown[0]})
    Project.objects.select_for_update().filter(pk=project.pk).exists()
    running = Job.objects.filter(project=project, kind=JobKind.TRAIN,
                                 status__in=UNFINISHED).first()
    if running is not None:
        return running
    job = job_create(project=project, kind=JobKind.TRAIN, by=by, params={"agents": names})
    if by is not None:
        audit_record(project=project, actor=by, action=AuditAction.TRAIN,
                     target=", ".join(names), data={"job": job.pk})
    return job


def training_schedule(*, project_id: int) -> bool:
    """After gold changed: queue one check, at most one per CONCORD_TRAINING_DEBOUNCE
    seconds per project, that starts a run when enough new gold has come."""
    delay = settings.CONCORD_TRAINING_DEBOUNCE
    if delay < 0 or not cache.add(f"training-scheduled:{project_id}", 1, timeout=max(delay, 1)):
        return False
    transaction.on_commit(lambda: task_named(TRAINING_AUTO_TASK).apply_async(
        (project_id,), countdown=delay))
    return True


def training_due(*, project: Project) -> bool:
    """Whether `train_every` gold documents came since the last run trained (or ever)."""
    if not built_in_for(project):
        return False
    last = (AgentVersion.objects.filter(agent__project=project)
            .aggregate(n=Max("trained_on"))["n"]) or 0
    return gold_count(project=project) - last >= project.train_every


def training_auto(*, project_id: int) -> Job | None:
    project = Project.objects.filter(pk=project_id, deleted_at__isnull=True).first()
    if project is None or not training_due(project=project):
        return None
    return training_start(project=project, by=None)


def _options(project: Project, name: str) -> dict:
    if name == AgentKind.SENTIMENT:
        ordinal = None
        if project.sentiment_scale == "ordinal":
            ordinal = list(Label.objects.filter(project=project, kind=LabelKind.SENTIMENT)
                           .order_by("order", "id").values_list("name", flat=True))
        return {"multi_label": project.sentiment_multi_label, "ordinal": ordinal}
    if name == AgentKind.RELATION:
        return {"min_relations": project.relation_min_gold}
    return {}


def training_run(*, job: Job, progress: ProgressFn) -> dict:
    project = job.project
    assert project is not None
    names = [n for n in job.params.get("agents", []) if n in MODULES]
    progress(0.02, _("Reading the gold"))
    corpus = gold_corpus(project=project)
    digest = model_module("artifact").training_sha256(corpus.docs)
    results = {}
    for i, name in enumerate(names):
        progress(0.05 + 0.9 * i / max(len(names), 1), _("Training %(name)s") % {"name": name})
        results[name] = _train_one(project, job, name, corpus, digest)
    activated = [name for name, result in results.items() if result["active"]]
    if activated:
        transaction.on_commit(lambda: task_named(SUGGEST_TASK).delay(project.pk))
    return {"agents": results, "gold": len(corpus.docs)}


def _train_one(project: Project, job: Job, name: str, corpus: GoldCorpus, digest: str
               ) -> dict:
    started = time.perf_counter()
    trained: Trained = model_module(name).train(corpus.docs, folds=5, seed=project.pk,
                                           **_options(project, name))
    seconds = time.perf_counter() - started
    version = _version_store(project, job, name, trained, seconds, digest)
    return {"version": version.number, "active": version.passed, "reason": version.reason,
            "f1": trained.metrics.get("f1"), "seconds": round(seconds, 3)}


def _verdict(project: Project, trained: Trained) -> str:
    """Why the version is not switched on ("" when it is)."""
    if trained.model is None:
        return trained.reason
    f1 = trained.metrics.get("f1") or 0.0
    if f1 < project.activation_f1:
        return _("Cross-validated F1 %(f1).2f is below the threshold %(t).2f.") % {
            "f1": f1, "t": project.activation_f1}
    return ""


@transaction.atomic
def _version_store(project: Project, job: Job, name: str, trained: Trained, seconds: float,
                   digest: str) -> AgentVersion:
    agent = Agent.objects.select_for_update().get(
        pk=agent_ensure(project=project, name=name).pk)
    number = (agent.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    reason = _verdict(project, trained)
    stored, sha = ("", "")
    if trained.model is not None:
        stored, sha = artifact_write(project_id=project.pk, agent=name, number=number,
                                     model=trained.model)
    version = AgentVersion.objects.create(
        agent=agent, number=number, job=job, trained_on=trained.trained_on,
        training_seconds=seconds, training_sha256=digest, metrics=trained.metrics,
        passed=not reason, reason=reason[:500], artifact=stored, artifact_sha256=sha)
    if version.passed:
        agent.version = version
        agent.message = ""
        agent.save(update_fields=["version", "message", "updated_at"])
    transaction.on_commit(partial(artifacts_sweep, agent_id=agent.pk))
    return version

