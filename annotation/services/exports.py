"""Exports: streamed on request, or written once as an immutable dataset version."""

import hashlib
import logging
import tempfile
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from celery import Task
from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from annotation.models import DatasetVersion
from annotation.pure.exports import FORMATS, Export, ExportLabels, RelationLabel
from annotation.selectors.agreement import agreement_latest
from annotation.selectors.exports import SCOPES, export_gold, export_records
from projects.errors import Conflict, ServiceError
from projects.models import AuditAction, Job, JobKind, LabelKind, Project
from projects.services.audit import audit_record
from projects.services.jobs import ProgressFn, job_create

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 2000


def export_labels(project: Project) -> ExportLabels:
    labels = list(project.labels.order_by("order", "id"))
    return ExportLabels(
        entities=[lb.name for lb in labels if lb.kind == LabelKind.ENTITY],
        relations=[RelationLabel(lb.name, lb.directed) for lb in labels
                   if lb.kind == LabelKind.RELATION],
        sentiments=[lb.name for lb in labels if lb.kind == LabelKind.SENTIMENT],
        multi_label=project.sentiment_multi_label, scale=project.sentiment_scale,
        meta_columns=_meta_keys(project))


def _meta_keys(project: Project) -> list[str]:
    """The meta columns of CSV exports: the keys of the first documents' meta, in order."""
    keys: dict[str, None] = {}
    for meta in project.documents.order_by("id").values_list("meta", flat=True)[:1000]:
        keys.update(dict.fromkeys(meta or {}))
    return list(keys)


def _check(fmt: str, scope: str) -> None:
    if fmt not in FORMATS:
        raise ServiceError.field("format", _("Unknown format; use one of %(f)s.")
                                 % {"f": ", ".join(sorted(FORMATS))})
    if scope not in SCOPES:
        raise ServiceError.field("scope", _("Use gold or all."))


def export_stream(*, project: Project, fmt: str, scope: str, pseudonymize: bool = False
                  ) -> tuple[Export, Iterator[bytes]]:
    """The export's bytes as they are produced, for a streaming response."""
    _check(fmt, scope)
    export = Export(fmt, export_labels(project), scope=scope)
    return export, _chunks(export, project, pseudonymize, lambda items: items)


def _chunks(export: Export, project: Project, pseudonymize: bool,
            seen: Callable[[Iterator[Any]], Iterator[Any]]) -> Iterator[bytes]:
    """The export's bytes; ``seen`` sees each document on its way to the writer. ``jsonl``
    gold reads the documents as plain tuples (``export_gold``), every other export records."""
    if export.fmt == "jsonl" and export.scope == "gold":
        return export.gold_chunks(seen(export_gold(project=project)))
    return export.chunks(seen(export_records(project=project, scope=export.scope,
                                             pseudonymize=pseudonymize)))


def _task() -> Task:
    from annotation.tasks import export_task

    return export_task


@transaction.atomic
def export_start(*, project: Project, by: User | None, fmt: str, scope: str = "gold",
                 name: str = "", pseudonymize: bool = False) -> Job:
    _check(fmt, scope)
    name = name.strip() or f"{slugify(project.name) or 'project'}-{scope}-{fmt}-" \
        f"{timezone.now():%Y%m%d-%H%M%S}"
    if DatasetVersion.objects.filter(project=project, name=name).exists():
        raise Conflict(_("A version named %(n)s exists already.") % {"n": name},
                       [{"field": "name", "message": _("taken")}])
    return job_create(project=project, kind=JobKind.EXPORT, by=by, task=_task(),
                      params={"format": fmt, "scope": scope, "name": name,
                              "pseudonymize": pseudonymize})


def _concord_version() -> str:
    try:
        return version("concord")
    except PackageNotFoundError:
        return "unknown"


def _manifest(project: Project, export: Export, labels: ExportLabels, params: dict
              ) -> dict[str, Any]:
    report = agreement_latest(project=project)
    summary = None
    if report is not None:
        data = report.report
        summary = {"computed_at": data.get("computed_at"), "documents": data.get("documents"),
                   "sentiment_alpha_nominal": ((data.get("sentiment") or {})
                                               .get("krippendorff_alpha") or {}).get("nominal"),
                   "entity_f1_exact": ((data.get("entities") or {}).get("f1_exact")
                                       or {}).get("mean"),
                   "relation_f1": ((data.get("relations") or {}).get("f1") or {}).get("mean")}
    return {"project": {"id": project.pk, "name": project.name}, **params,
            "labels": labels.as_dict(),
            "annotators": sorted(export.annotators), "agreement": summary,
            "warnings": export.warnings[:1000], "concord": _concord_version(),
            **export.extra_manifest()}


def export_run(*, job: Job, progress: ProgressFn) -> dict:
    done = DatasetVersion.objects.filter(job=job).first()
    if done is not None:  # a redelivered task: the version exists, nothing to redo
        return {"version": done.pk, "sha256": done.sha256}
    project = job.project
    if project is None:
        raise ServiceError(_("The project of this export was deleted."))
    params = job.params
    labels = export_labels(project)
    export = Export(params["format"], labels, scope=params["scope"])
    total = max(1, project.documents.count())

    def counted(records: Iterator[Any]) -> Iterator[Any]:
        for n, record in enumerate(records, start=1):
            if n % PROGRESS_EVERY == 0:
                progress(min(0.95, n / total), f"{n} documents written")
            yield record

    digest, size = hashlib.sha256(), 0
    path = f"exports/{project.pk}/{job.pk}-{slugify(params['name'])[:80]}.{export.extension}"
    with tempfile.TemporaryFile() as out:  # then one save, whatever the storage backend
        for chunk in _chunks(export, project, params.get("pseudonymize", False), counted):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.seek(0)
        path = default_storage.save(path, File(out))
    version = DatasetVersion.objects.create(
        project=project, name=params["name"], format=params["format"], scope=params["scope"],
        pseudonymized=params.get("pseudonymize", False), created_by=job.created_by, job=job,
        file=path, documents=export.documents, annotations=export.annotations, size=size,
        sha256=digest.hexdigest(), manifest=_manifest(project, export, labels, params))
    audit_record(project=project, actor=job.created_by, action=AuditAction.EXPORT,
                 target=version.name, data={"version": version.pk, "format": version.format,
                                            "scope": version.scope, "sha256": version.sha256,
                                            "documents": version.documents, "job": job.pk})
    return {"version": version.pk, "sha256": version.sha256, "size": size,
            "documents": version.documents}


@transaction.atomic
def version_delete(*, version: DatasetVersion, by: User) -> None:
    """Versions are immutable; a manager may delete one, and that is audited. The file goes
    once the row's deletion commits, so a failed deletion leaves both."""
    logger.warning("dataset version deleted: project=%s version=%s name=%r sha256=%s by=%s",
                   version.project_id, version.pk, version.name, version.sha256,
                   by.get_username())
    audit_record(project=version.project, actor=by, action=AuditAction.VERSION_DELETE,
                 target=version.name, data={"version": version.pk, "format": version.format,
                                            "scope": version.scope, "sha256": version.sha256})
    path = version.file
    version.delete()
    transaction.on_commit(lambda: default_storage.delete(path))
