"""Imports: a manager uploads a file; a Celery job reads, checks and stores it."""

import gc
import io
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from annotation.imports import clean, decode, formats
from annotation.imports.neardup import NearDuplicateFinder
from annotation.imports.records import FileError, Problem, Record
from annotation.services.annotations import document_refresh_status
from annotation.services.assignments import assignments_backfill
from annotation.services.import_options import FORMATS, ImportOptions
from annotation.services.importer import Importer
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
    from annotation.tasks import import_task

    return job_create(project=project, kind=JobKind.IMPORT, by=by, task=import_task,
                      params=params)


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
    return fmt, formats.read(fmt, stream, **options.reader_options(fmt))


def import_run(*, job: Job, progress: ProgressFn) -> Outcome:
    if job.project_id is None:
        raise ServiceError(_("The project of this import was deleted."))
    project = Project.objects.get(pk=job.project_id)
    options = ImportOptions(**job.params["options"])
    path = import_dir() / job.params["path"]
    size = max(1, int(job.params.get("size") or path.stat().st_size))
    try:
        skip: frozenset[int] = frozenset()
        if options.near_duplicates == "skip":
            skip = _near_duplicate_lines(path, project, job, options, progress)
        with _heap_frozen(), transaction.atomic():
            importer = _run_pass(project, job, options, path, size, progress, skip)
            if importer.failed:
                transaction.set_rollback(True)
            elif importer.report.annotations:
                assignments_backfill(project_id=project.pk)  # imported work holds its slots
            if not importer.failed and importer.report.read:
                _audit(project, job, importer)
    except FileError as exc:
        path.unlink(missing_ok=True)
        raise ServiceError(str(exc), [{"line": 0, "field": "file", "message": str(exc)}]) from exc
    # Kept on other errors, so that a retried task finds its file again.
    path.unlink(missing_ok=True)
    if importer.report.read == 0 and not importer.failed:
        raise ImportFailed(_("The file holds no documents."),
                           [{"line": 0, "field": "file", "message": _("no records")}],
                           importer.report.as_dict())
    if importer.failed:
        raise ImportFailed(_("Nothing was imported: %(n)d problems found.")
                           % {"n": importer.report.errors}, importer.errors,
                           importer.report.as_dict())
    return Outcome(importer.report.as_dict(), importer.errors)


def _audit(project: Project, job: Job, importer: Importer) -> None:
    report = importer.report
    audit_record(project=project, actor=job.created_by, action=AuditAction.IMPORT,
                 target=job.params.get("filename", ""),
                 data={"job": job.pk, "format": report.format, "read": report.read,
                       "imported": report.imported, "annotations": report.annotations,
                       "gold": report.gold})


@contextmanager
def _heap_frozen() -> Iterator[None]:
    """Full garbage collections skip the objects that predate the import (Django's, Celery's):
    a million records set off dozens of them, each walking the whole heap."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _run_pass(project: Project, job: Job, options: ImportOptions, path: Path, size: int,
              progress: ProgressFn, skip: frozenset[int]) -> Importer:
    finder = None
    if options.near_duplicates == "flag":
        finder = NearDuplicateFinder(threshold=options.near_duplicate_threshold)
        _add_stored(finder, project)
    importer = Importer(project=project, options=options, by=job.created_by, finder=finder,
                        skip_lines=skip)
    counter: list[_Counting] = []
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
        _report_groups(importer, finder.groups())
    if finder is not None:
        finder.close()  # its temporary file
    for doc in project.documents.filter(pk__in=importer.touched):
        document_refresh_status(document=doc)
    return importer


def _report_groups(importer: Importer, groups: list[list[int]]) -> None:
    importer.report.near_duplicate_group_count = len(groups)
    importer.report.near_duplicates = sum(len(g) - 1 for g in groups)
    importer.report.near_duplicate_groups = [
        [{"line": key} if key > 0 else {"document": -key} for key in group]
        for group in groups[:100]]


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
    for item in items:
        if isinstance(item, Record):  # the same cleaned text the second pass will store
            text = clean.clean_text(item.text)
            if not clean.is_blank(text):
                finder.add(item.line, text)
    progress(0.3, _("Found near-duplicates"))
    groups = finder.groups()
    finder.close()
    return frozenset(key for group in groups for key in sorted(group)[1:] if key > 0)
