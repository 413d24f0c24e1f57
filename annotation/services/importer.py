"""One import, record by record: clean, find PII, validate, de-duplicate, write in batches.

It runs inside the caller's transaction: under on_error=fail any problem means nothing is
stored, and a killed worker leaves nothing either, since the transaction dies with it.
"""

import hashlib
from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth.models import User

from annotation.imports import clean, pii
from annotation.imports.keys import KeyMap
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
        # Keys of the texts seen; for merges, the stored document holding the first copy (the
        # values are not read otherwise: a byte each instead of 8, 7 MB less a million).
        self.seen = KeyMap(values=np.int64 if options.duplicates == "merge" else np.int8)
        self.held: dict[int, Prepared] = {}  # merges: first copies not stored (yet)
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
        self.writer.close()
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
        key = _key(prepared.digest)
        merge = self.options.duplicates == "merge"
        if key not in self.held and key not in self.seen:
            if merge:
                self.held[key] = prepared
            else:
                self.seen.setdefault(key, 0)
            return prepared
        if self.options.duplicates == "keep":
            return prepared
        self.report.duplicates += 1
        if not merge or not prepared.labellings:
            return None
        kept = self.held.get(key)
        if kept is not None:  # still in this batch (or dropped with its batch)
            kept.labellings += prepared.labellings
            return None
        doc_id = self.seen.get(key)
        assert doc_id is not None
        prepared.doc_id, prepared.existing = doc_id, True
        self.touched.add(doc_id)
        return prepared

    def _load_existing_hashes(self) -> None:
        rows = self.project.documents.values_list("content_hash", "id")
        keys, ids = array("Q"), array("q")
        for digest, doc_id in rows.iterator(chunk_size=5000):
            keys.append(_key(digest))
            ids.append(doc_id)
        if ids:
            values = np.frombuffer(ids, np.int64)
            if self.options.duplicates != "merge":
                values = np.zeros(len(ids), dtype=np.int8)
            self.seen.update(np.frombuffer(keys, dtype=np.uint64), values)

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        batch = drop_taken_ids(self, batch)
        if batch and not self.failed:
            write_batch(self, batch)
            if self.held:  # keep ids, not whole records
                for prepared in batch:
                    if not prepared.existing and prepared.doc_id is not None:
                        key = _key(prepared.digest)
                        del self.held[key]
                        self.seen.set(key, prepared.doc_id)


def _key(digest: str) -> int:
    """The first 64 bits of a sha256."""
    return int(digest[:16], 16)


def as_raw(lab: Labelling) -> dict[str, Any]:
    return {
        "entities": [{"id": e.id if e.id is not None else f"T{i + 1}", "start": e.start,
                      "end": e.end, "label": e.label} for i, e in enumerate(lab.entities)],
        "relations": [{"head": r.head, "tail": r.tail, "label": r.label}
                      for r in lab.relations],
        "sentiment": lab.sentiment,
    }
