"""Exports: streamed on request, or written once as an immutable dataset version."""

import hashlib
import logging
import tempfile
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from annotation.models import DatasetVersion, Document
from annotation.pure.exports import FORMATS, Export, ExportLabels, RelationLabel
from annotation.pure.exports.tabular import RESERVED
from annotation.selectors.agreement import agreement_latest
from annotation.selectors.exports import SCOPES, export_documents
from annotation.services.document_actions import Selection, selection_check
from projects.errors import Conflict, ServiceError
from projects.models import AuditAction, Job, JobKind, JobStatus, LabelKind, Project
from projects.services.audit import audit_record
from projects.services.jobs import ProgressFn, job_create

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 2000
META_SAMPLE = 1000  # the csv export's meta columns come from this many first documents
_META_BATCH = 100
# pg_advisory_xact_lock's first key: export names (the second is the project's id).
_NAME_LOCK = 0x45585054


def export_labels(project: Project) -> ExportLabels:
    labels = list(project.labels.order_by("order", "id"))
    return ExportLabels(
        entities=[lb.name for lb in labels if lb.kind == LabelKind.ENTITY],
        relations=[RelationLabel(lb.name, lb.directed) for lb in labels
                   if lb.kind == LabelKind.RELATION],
        sentiments=[lb.name for lb in labels if lb.kind == LabelKind.SENTIMENT],
        multi_label=project.sentiment_multi_label, scale=project.sentiment_scale,
        meta_columns=_meta_keys(project), segmentation=project.segmentation)


def _meta_keys(project: Project) -> list[str]:
    """The meta columns of CSV exports: the first CONCORD_EXPORT_CSV_META_COLUMNS distinct
    keys of the first META_SAMPLE documents' meta, in order of first appearance, without the
    fixed columns' names (each record's other keys go in the JSON ``meta`` column). Reads the
    documents a hundred at a time and stops once the columns are found."""
    limit = max(0, settings.CONCORD_EXPORT_CSV_META_COLUMNS)
    keys: dict[str, None] = {}
    last, seen = 0, 0
    while len(keys) < limit and seen < META_SAMPLE:
        rows = list(project.documents.filter(id__gt=last).order_by("id")
                    .values_list("id", "meta")[:min(_META_BATCH, META_SAMPLE - seen)])
        if not rows:
            break
        for _pk, meta in rows:
            for key in meta if isinstance(meta, dict) else ():
                if key not in keys and key not in RESERVED:
                    keys[key] = None
                    if len(keys) == limit:
                        return list(keys)
        last, seen = rows[-1][0], seen + len(rows)
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
            seen: Callable[[Iterator[Any]], Iterator[Any]],
            subset: QuerySet[Document] | None = None) -> Iterator[bytes]:
    """The export's bytes; ``seen`` sees each document on its way to the writer."""
    return export.write(seen(export_documents(project=project, scope=export.scope,
                                              pseudonymize=pseudonymize, subset=subset)))


def _lock_names(project: Project) -> None:
    """Serialise export_start per project until the transaction ends, so that of requests
    for the same name at the same moment one starts a job and the others see it. An
    advisory lock, not the project's row: an import's long transaction holds a key-share
    lock on that row. (SQLite serialises writers itself.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::integer, %s::integer)",
                           [_NAME_LOCK, project.pk % 2**31])


def _name_taken(project: Project, name: str) -> str | None:
    """Why ``name`` can't be a new version's name, or None."""
    if DatasetVersion.objects.filter(project=project, name=name).exists():
        return _("A version named “%(n)s” exists already; choose another name.") % {"n": name}
    if Job.objects.filter(project=project, kind=JobKind.EXPORT, params__name=name,
                          status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).exists():
        return _("A version named “%(n)s” is being built already; wait for it, or choose "
                 "another name.") % {"n": name}
    return None


@transaction.atomic
def export_start(*, project: Project, by: User | None, fmt: str, scope: str = "gold",
                 name: str = "", pseudonymize: bool = False,
                 selection: Selection | None = None) -> Job:
    """Queue an export job. A name already used by a version, or by an export still being
    built, is a Conflict (409) here, at the request; the unique constraint on the versions'
    names stays as the last guard (export_run). `selection`: just those documents (chosen
    ids, or a filter of the document manager, read when the job runs); the manifest
    records it."""
    _check(fmt, scope)
    name = name.strip() or f"{slugify(project.name) or 'project'}-{scope}-{fmt}-" \
        f"{timezone.now():%Y%m%d-%H%M%S}"
    if selection is not None:
        selection_check(project, selection)
    _lock_names(project)
    taken = _name_taken(project, name)
    if taken is not None:
        raise Conflict(taken, [{"field": "name", "message": taken}])
    return job_create(project=project, kind=JobKind.EXPORT, by=by,
                      params={"format": fmt, "scope": scope, "name": name,
                              "pseudonymize": pseudonymize,
                              **({"selection": selection.as_params()} if selection else {})})


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
                progress(min(0.95, n / total), _("%(n)d documents written") % {"n": n})
            yield record

    digest, size = hashlib.sha256(), 0
    path = f"{export_folder(project.pk)}/{job.pk}-{slugify(params['name'])[:80]}." \
        f"{export.extension}"
    try:
        with tempfile.TemporaryFile() as out:  # then one save, whatever the storage backend
            subset = Selection.of(params["selection"]).documents(project) \
                if params.get("selection") else None
            for chunk in _chunks(export, project, params.get("pseudonymize", False), counted,
                                 subset):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.seek(0)
            path = default_storage.save(path, File(out))
        version = _record(job, project, path, export, size, digest.hexdigest(),
                          _manifest(project, export, labels, params))
    except BaseException:  # a failure, a time limit, a retry: nothing of this run stays
        export_discard(job_id=job.pk, project_id=project.pk)
        raise
    return {"version": version.pk, "sha256": version.sha256, "size": size,
            "documents": version.documents}


def _record(job: Job, project: Project, path: str, export: Export, size: int, sha256: str,
            manifest: dict[str, Any]) -> DatasetVersion:
    """The version's row and its audit event, together. The unique name is checked when the
    export is asked for (export_start); should a version of that name appear meanwhile, the
    constraint refuses this one, and the job fails with a sentence."""
    params = job.params
    try:
        with transaction.atomic():
            version = DatasetVersion.objects.create(
                project=project, name=params["name"], format=params["format"],
                scope=params["scope"], pseudonymized=params.get("pseudonymize", False),
                created_by=job.created_by, job=job, file=path, documents=export.documents,
                annotations=export.annotations, size=size, sha256=sha256, manifest=manifest)
            audit_record(project=project, actor=job.created_by, action=AuditAction.EXPORT,
                         target=version.name,
                         data={"version": version.pk, "format": version.format,
                               "scope": version.scope, "sha256": version.sha256,
                               "documents": version.documents, "job": job.pk})
    except IntegrityError:
        if not DatasetVersion.objects.filter(project=project, name=params["name"]).exists():
            raise
        raise Conflict(_("Another version named “%(n)s” was made while this one was being "
                         "built, so this one was not kept. Export again with another name.")
                       % {"n": params["name"]},
                       [{"field": "name", "message": _("taken")}]) from None
    return version


def export_folder(project_id: int) -> str:
    """Where a project's dataset versions are stored (in the default storage)."""
    return f"exports/{project_id}"


def export_discard(*, job_id: int, project_id: int) -> list[str]:
    """Remove the files an export job wrote (``exports/<project>/<job>-*``) unless a version
    records them; the names removed. With the database away nothing is removed: the sweep
    (annotation/services/sweep.py) collects the orphans later."""
    try:
        if DatasetVersion.objects.filter(job_id=job_id).exists():
            return []
    except DatabaseError:
        logger.warning("export job %s: its files are left for the sweep", job_id,
                       exc_info=True)
        return []
    folder = export_folder(project_id)
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    removed = []
    for name in files:
        if name.startswith(f"{job_id}-"):
            default_storage.delete(str(PurePosixPath(folder) / name))
            removed.append(name)
    if removed:
        logger.info("export job %s: removed %s", job_id, removed)
    return removed


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
