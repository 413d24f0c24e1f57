"""Imports: a manager uploads a file; a Celery job reads, checks and stores it."""

import io
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import InterfaceError, OperationalError, transaction
from django.utils.translation import gettext as _

from annotation.readers import clean, decode, formats
from annotation.readers.limits import Limits
from annotation.readers.long_texts import describe_key, finder_key, limit_record
from annotation.readers.neardup import NearDuplicateFinder
from annotation.readers.records import FileError, Problem, Record
from annotation.services.agents.suggesting import suggestions_schedule
from annotation.services.agents.training import training_schedule
from annotation.services.assignments import assignments_backfill
from annotation.services.imports.importer import Importer
from annotation.services.imports.near_groups import group_rows, groups_write
from annotation.services.imports.options import FORMATS, ImportOptions
from annotation.services.imports.statistics import import_analyze
from annotation.services.ordering import ranks_after_import
from annotation.services.store import document_refresh_status
from projects.errors import ServiceError
from projects.models import AuditAction, Job, JobKind, Project
from projects.services import job_create
from projects.services.audit import audit_record
from projects.services.jobs import Outcome

ProgressFn = Callable[[float, str], None]


class TooLarge(ServiceError):
    status_code = 413


class ImportFailed(ServiceError):
    def __init__(self, detail: str, errors: list[dict], result: dict) -> None:
        super().__init__(detail, errors)
        self.result = result


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_size(size: int | None) -> None:
    limit = settings.CONCORD_IMPORT_MAX_BYTES
    if size is not None and size > limit:
        raise TooLarge(_("The file is %(size)s; the limit is %(limit)s.")
                       % {"size": _mb(size), "limit": _mb(limit)},
                       [{"field": "file", "message": _("too large")}])


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def import_start(*, project: Project, by: User, upload: UploadedFile,
                 options: ImportOptions) -> Job:
    """Store the upload where the worker can read it, and queue the import job."""
    check_size(upload.size)
    if not upload.size:
        raise ServiceError.field("file", _("The file is empty (0 bytes)."))
    if options.format is not None and options.format not in FORMATS:
        raise ServiceError.field("format", _("Unknown format."))
    path = import_dir() / f"{uuid.uuid4().hex}.upload"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    params = {"path": path.name, "filename": upload.name or "", "size": upload.size,
              "options": options.as_dict()}
    return job_create(project=project, kind=JobKind.IMPORT, by=by, params=params)


class _Counting(io.RawIOBase):
    """Counts the bytes read, for the progress bar."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[:len(data)] = data
        self.count += len(data)
        return len(data)


def _items(path: Path, fmt: str | None, name: str, options: ImportOptions,
           on_open: Callable[[_Counting], None]) -> tuple[str, Iterator[Record | Problem]]:
    raw = path.open("rb")
    fmt = fmt or decode.sniff_format(name, raw.read(64 * 1024))
    raw.seek(0)
    counting = _Counting(raw)
    on_open(counting)
    stream = io.BufferedReader(counting, buffer_size=1 << 20)
    return fmt, formats.read(fmt, stream, limits=import_limits(),
                             **options.reader_options(fmt))


def import_limits() -> Limits:
    """What one record may hold, from the CONCORD_IMPORT_* settings (docs/security.md)."""
    return Limits(max_depth=settings.CONCORD_IMPORT_MAX_DEPTH,
                  max_keys=settings.CONCORD_IMPORT_MAX_KEYS,
                  max_meta_keys=settings.CONCORD_IMPORT_MAX_META_KEYS,
                  max_meta_key_chars=settings.CONCORD_IMPORT_MAX_META_KEY_CHARS,
                  max_meta_value_chars=settings.CONCORD_IMPORT_MAX_META_VALUE_CHARS,
                  max_line_chars=settings.CONCORD_IMPORT_MAX_LINE_CHARS)


def import_run(*, job: Job, progress: ProgressFn) -> Outcome:
    """Read, check and store the upload; it is removed on every way out but a transient
    database error, which the task retries (ImportTask removes it after the last try)."""
    path = import_dir() / job.params["path"]
    if job.project_id is None:
        path.unlink(missing_ok=True)
        raise ServiceError(_("The project of this import was deleted."))
    try:
        project = Project.objects.get(pk=job.project_id)
        options = ImportOptions(**job.params["options"])
        size = max(1, int(job.params.get("size") or path.stat().st_size))
        skip: frozenset[int] = frozenset()
        if options.near_duplicates == "skip":
            skip = _near_duplicate_lines(path, project, job, options, progress)
        # No gc.freeze() of its own: the process froze its loaded heap at start
        # (config/celery_app.py, config/wsgi.py), and gc.unfreeze() at the end would give it
        # back to the collector for the rest of the process's life.
        with transaction.atomic():
            importer = _run_pass(project, job, options, path, size, progress, skip)
            if importer.failed:
                transaction.set_rollback(True)
            elif importer.report.annotations:
                assignments_backfill(project_id=project.pk)  # imported work holds its slots
            if not importer.failed:
                ranks_after_import(project=project)  # the new documents take their turn
                suggestions_schedule(project=project)  # and get the models' suggestions
                if importer.report.gold:
                    training_schedule(project_id=project.pk)  # new gold: maybe new models
            if not importer.failed and importer.report.read:
                _audit(project, job, importer)
    except FileError as exc:
        path.unlink(missing_ok=True)
        raise ServiceError(str(exc), [{"line": 0, "field": "file", "message": str(exc)}]) from exc
    except (OperationalError, InterfaceError):
        raise  # projects.tasks.TRANSIENT: the retried task reads the file again
    except BaseException:  # any other error, a time limit: the job fails, nothing stays
        path.unlink(missing_ok=True)
        raise
    path.unlink(missing_ok=True)
    if importer.report.read == 0 and not importer.failed:
        raise ImportFailed(_("The file holds no documents."),
                           [{"line": 0, "field": "file", "message": _("no records")}],
                           importer.report.as_dict())
    if importer.failed:
        raise ImportFailed(_("Nothing was imported: %(n)d problems found.")
                           % {"n": importer.report.errors}, importer.errors,
                           importer.report.as_dict())
    report = importer.report
    # Committed: fresh planner statistics for what a large import filled (PostgreSQL).
    progress(0.99, _("Updating the database's statistics"))
    import_analyze(documents=report.imported,
                   labellings=report.annotations + report.gold + report.predictions)
    return Outcome(importer.report.as_dict(), importer.errors)


def import_discard(*, job_id: int) -> None:
    """Remove the upload of an import whose task failed for good (after its last retry)."""
    name = (Job.objects.filter(pk=job_id, kind=JobKind.IMPORT)
            .values_list("params__path", flat=True).first())
    if isinstance(name, str) and name and Path(name).name == name:
        (import_dir() / name).unlink(missing_ok=True)


def _audit(project: Project, job: Job, importer: Importer) -> None:
    report = importer.report
    audit_record(project=project, actor=job.created_by, action=AuditAction.IMPORT,
                 target=job.params.get("filename", ""),
                 data={"job": job.pk, "format": report.format, "read": report.read,
                       "imported": report.imported, "annotations": report.annotations,
                       "gold": report.gold})


def _run_pass(project: Project, job: Job, options: ImportOptions, path: Path, size: int,
              progress: ProgressFn, skip: frozenset[int]) -> Importer:
    finder = None
    if options.near_duplicates == "flag":
        finder = NearDuplicateFinder(threshold=options.near_duplicate_threshold)
        _add_stored(finder, project)
    counter: list[_Counting] = []

    def note(message: str) -> None:  # creating labels, between two records
        progress(0.9 * counter[0].count / size if counter else 0.0, message)

    importer = Importer(project=project, options=options, by=job.created_by, finder=finder,
                        skip_lines=skip, progress=note)
    fmt, items = _items(path, options.format, job.params.get("filename", ""), options,
                        counter.append)
    importer.report.format = fmt
    last = time.monotonic()
    with importer.writer.streaming():
        for item in items:
            importer.add(item)
            if time.monotonic() - last > 0.5:
                last = time.monotonic()
                progress(0.9 * counter[0].count / size,
                         _("Read %(n)d records") % {"n": importer.report.read})
        importer.finish()
    if finder is not None and not importer.failed:
        progress(0.95, _("Grouping near-duplicates"))
        groups = finder.groups()
        _report_groups(importer, groups)
        groups_write(group_rows(groups, importer.written))
    if finder is not None:
        finder.close()  # its temporary file
    for doc in project.documents.filter(pk__in=importer.touched):
        document_refresh_status(document=doc)
    return importer


def _report_groups(importer: Importer, groups: list[list[int]]) -> None:
    importer.report.near_duplicate_group_count = len(groups)
    importer.report.near_duplicates = sum(len(g) - 1 for g in groups)
    importer.report.near_duplicate_groups = [
        [describe_key(key) if key > 0 else {"document": -key} for key in group]
        for group in groups[:100]]


def _file_order(key: int) -> tuple[int, ...]:
    """Stored documents first, then the file's records and parts in the file's order."""
    return (0, key) if key < 0 else (1, *describe_key(key).values())


def _add_stored(finder: NearDuplicateFinder, project: Project) -> None:
    """The project's stored documents join the search, under negative keys."""
    for doc_id, text in project.documents.values_list("id", "text").iterator(chunk_size=2000):
        finder.add(-doc_id, text, existing=True)


def _near_duplicate_lines(path: Path, project: Project, job: Job, options: ImportOptions,
                          progress: ProgressFn) -> frozenset[int]:
    """A first pass, for near_duplicates=skip: every line of a group but its first."""
    finder = NearDuplicateFinder(threshold=options.near_duplicate_threshold)
    _add_stored(finder, project)
    counter: list[_Counting] = []
    _fmt, items = _items(path, options.format, job.params.get("filename", ""), options,
                      counter.append)
    limit = settings.CONCORD_MAX_DOCUMENT_CHARS
    for item in items:
        parts = limit_record(item, limit=limit, mode=options.long_texts) \
            if isinstance(item, Record) else item
        for part in parts if isinstance(parts, list) else ():
            text = clean.clean_text(part.text)  # the cleaned text the second pass will store
            if not clean.is_blank(text):
                finder.add(finder_key(part.line, part.part), text)
    progress(0.3, _("Found near-duplicates"))
    groups = finder.groups()
    finder.close()
    return frozenset(key for group in groups for key in sorted(group, key=_file_order)[1:]
                     if key > 0)
