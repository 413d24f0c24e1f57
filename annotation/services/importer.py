"""One import, record by record: clean, find PII, validate, de-duplicate, write in batches.

It runs inside the caller's transaction: under on_error=fail any problem means nothing is
stored, and a killed worker leaves nothing either, since the transaction dies with it.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User

from annotation.imports import clean, pii
from annotation.imports.records import Labelling, Problem, Record
from annotation.models import AnnotationKind
from annotation.pure.content import Content, ContentError, validate
from annotation.selectors import project_schema
from annotation.services.bulk import BulkWriter
from annotation.services.import_labels import LabelMaker
from annotation.services.import_options import ImportOptions, Report
from annotation.services.import_rows import drop_taken_ids, write_batch
from projects.models import PiiPolicy, Project

BATCH = 2000
MAX_ERRORS = 1000


@dataclass
class Prepared:
    record: Record
    digest: str
    pii: dict[str, list[list[int]]]
    labellings: list[tuple[str, str | None, Content]] = field(default_factory=list)
    doc_id: int | None = None
    existing: bool = False  # merged into a document stored before this import
    pii_types: list[str] = field(default_factory=list)


class Importer:
    def __init__(self, *, project: Project, options: ImportOptions, by: User | None,
                 finder: Any = None, skip_lines: frozenset[int] = frozenset()) -> None:
        self.project, self.options, self.by = project, options, by
        self.finder, self.skip_lines = finder, skip_lines
        self.report = Report()
        self.errors: list[dict[str, Any]] = []
        self.failed = False
        self.writer = BulkWriter()
        self.labels = LabelMaker(project=project, create=options.create_labels)
        self.schema = project_schema(project=project)
        self.pending: list[Prepared] = []
        # Keys of the texts seen: a set, or for merges a map to what holds the first copy.
        self.seen: set[int] | dict[int, int | Prepared] = (
            {} if options.duplicates == "merge" else set())
        self.users: dict[str, int] = {}
        self.touched: set[int] = set()  # stored documents that received merged labellings
        self.ids_stored = project.documents.exclude(external_id="").exists()
        self._load_existing_hashes()

    def problem(self, item: Problem) -> None:
        self.report.errors += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(item.as_dict())
        if self.options.on_error == "fail":
            self.failed = True
        else:
            self.report.skipped += 1

    def add(self, item: Record | Problem) -> None:
        if isinstance(item, Problem):
            self.problem(item)
            return
        self.report.read += 1
        prepared = self.prepare(item)
        if isinstance(prepared, Problem):
            self.problem(prepared)
        elif prepared is not None:
            for kind in prepared.pii_types if not prepared.existing else ():
                self.report.pii[kind] = self.report.pii.get(kind, 0) + 1
            self.pending.append(prepared)
            if len(self.pending) >= BATCH:
                self.flush()

    def finish(self) -> None:
        self.flush()
        self.report.labels_created = self.labels.created
        self.report.unknown_labels = sorted(self.labels.unknown)

    def prepare(self, record: Record) -> Prepared | Problem | None:
        cleaned = clean.clean_record(record)
        if isinstance(cleaned, Problem):
            return cleaned
        if clean.is_blank(cleaned.text):
            self.report.empty += 1
            return None
        hits = pii.detect_pii(cleaned.text) if self.project.pii_policy != PiiPolicy.OFF else []
        cleaned, found = self._pii(cleaned, hits)
        if isinstance(cleaned, Problem):
            return cleaned
        labellings = self.validate(cleaned)
        if isinstance(labellings, Problem):
            return labellings
        digest = hashlib.sha256(cleaned.text.encode()).hexdigest()
        prepared = self.deduplicate(Prepared(cleaned, digest, found, labellings,
                                             pii_types=[hit.type for hit in hits]))
        if prepared is None or prepared.existing:
            return prepared
        if cleaned.line in self.skip_lines:
            self.report.near_duplicates_skipped += 1
            return None
        if self.finder is not None:
            self.finder.add(cleaned.line, cleaned.text)
        return prepared

    def _pii(self, record: Record, hits: list[pii.PiiHit]
             ) -> tuple[Record | Problem, dict[str, list[list[int]]]]:
        if not hits:
            return record, {}
        if self.project.pii_policy == PiiPolicy.MASK:
            return pii.mask_record(record, hits), {}
        return record, pii.pii_summary(hits)

    def validate(self, record: Record) -> list[tuple[str, str | None, Content]] | Problem:
        parts: list[tuple[str, str, str | None, Labelling]] = [
            (f"annotations[{i}]", AnnotationKind.ANNOTATION, who, lab)
            for i, (who, lab) in enumerate(record.annotations)]
        parts += [(name, kind, None, lab) for name, kind, lab in (
            ("gold", AnnotationKind.GOLD, record.gold),
            ("predictions", AnnotationKind.PREDICTION, record.predictions)) if lab is not None]
        out: list[tuple[str, str | None, Content]] = []
        for where, kind, who, lab in parts:
            if self.labels.ensure(lab):
                self.schema = project_schema(project=self.project)
            try:
                out.append((kind, who, validate(record.text, self.schema, as_raw(lab))))
            except ContentError as exc:
                first = exc.errors[0]
                return Problem(record.line, f"{where}.{first['field']}", first["message"])
        return out

    def deduplicate(self, prepared: Prepared) -> Prepared | None:
        key = int(prepared.digest[:16], 16)
        if key not in self.seen:
            if isinstance(self.seen, dict):
                self.seen[key] = prepared
            else:
                self.seen.add(key)
            return prepared
        if self.options.duplicates == "keep":
            return prepared
        self.report.duplicates += 1
        if not isinstance(self.seen, dict) or not prepared.labellings:
            return None
        kept = self.seen[key]
        if isinstance(kept, Prepared):
            if kept.doc_id is None:  # still in this batch
                kept.labellings += prepared.labellings
                return None
            kept = kept.doc_id
        if isinstance(kept, int):
            prepared.doc_id, prepared.existing = kept, True
            self.touched.add(kept)
            return prepared
        return None

    def _load_existing_hashes(self) -> None:
        rows = self.project.documents.values_list("content_hash", "id").iterator(chunk_size=5000)
        for digest, doc_id in rows:
            if isinstance(self.seen, dict):
                self.seen[int(digest[:16], 16)] = doc_id
            else:
                self.seen.add(int(digest[:16], 16))

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        batch = drop_taken_ids(self, batch)
        if batch and not self.failed:
            write_batch(self, batch)
            if isinstance(self.seen, dict):  # keep ids, not whole records
                for prepared in batch:
                    if prepared.doc_id is not None:
                        self.seen[int(prepared.digest[:16], 16)] = prepared.doc_id


def as_raw(lab: Labelling) -> dict[str, Any]:
    return {
        "entities": [{"id": e.id if e.id is not None else f"T{i + 1}", "start": e.start,
                      "end": e.end, "label": e.label} for i, e in enumerate(lab.entities)],
        "relations": [{"head": r.head, "tail": r.tail, "label": r.label}
                      for r in lab.relations],
        "sentiment": lab.sentiment,
    }
