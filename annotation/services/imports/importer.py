"""One import, record by record: clean, find PII, validate, de-duplicate, write in batches.

It runs inside the caller's transaction: under on_error=fail any problem means nothing is
stored, and a killed worker leaves nothing either, since the transaction dies with it.
"""

import dataclasses
import hashlib
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.models import User

from annotation.models import AnnotationKind, Document
from annotation.pure.content import Content, ContentError, validate
from annotation.readers import clean, pii
from annotation.readers.keys import KeyMap
from annotation.readers.long_texts import finder_key, limit_record
from annotation.readers.records import Labelling, Problem, Record
from annotation.selectors import project_schema
from annotation.services.bulk import BulkWriter
from annotation.services.imports.identities import Annotators
from annotation.services.imports.labels import LabelMaker
from annotation.services.imports.near_groups import WrittenKeys
from annotation.services.imports.options import ImportOptions, Report
from annotation.services.imports.rows import Prepared, drop_taken_ids, write_batch
from annotation.services.imports.suggestions import (
    Agents,
    Row,
    renumber,
    replace_rows,
    suggestion_rows,
)
from projects.models import PiiPolicy, Project

BATCH = 2000
MAX_ERRORS = 1000


class Importer:
    def __init__(self, *, project: Project, options: ImportOptions, by: User | None,
                 finder: Any = None, skip_lines: frozenset[int] = frozenset(),
                 progress: Callable[[str], None] | None = None) -> None:
        self.project, self.options, self.by = project, options, by
        self.finder, self.skip_lines = finder, skip_lines
        self.report = Report()
        self.errors: list[dict[str, Any]] = []
        self.failed = False
        self.writer = BulkWriter()
        self.schema = project_schema(project=project)
        # Predictions come from several agents: they may overlap and hold several sentiments
        # (the same labels: new ones join both).
        self.loose = dataclasses.replace(self.schema, allow_overlap=True, multi_label=True)
        self.agents = Agents(project=project)
        self.labels = LabelMaker(project=project, create=options.create_labels,
                                 schema=self.schema, progress=progress)
        self.pending: list[Prepared] = []
        # Keys of the texts seen; for merges, the stored document holding the first copy (the
        # values are not read otherwise: a byte each instead of 8, 7 MB less a million).
        self.seen = KeyMap(values=np.int64 if options.duplicates == "merge" else np.int8)
        self.held: dict[int, Prepared] = {}  # merges: first copies not stored (yet)
        self.annotators = Annotators(project=project)  # names to members and identities
        self.touched: set[int] = set()  # stored documents that received merged labellings
        self.written = WrittenKeys(project)  # the near-duplicate finder's new documents
        self.ids_stored = project.documents.exclude(external_id="").exists()
        self.max_chars: int = settings.CONCORD_MAX_DOCUMENT_CHARS
        self.hash_ids: dict[str, bool] = {}  # ids with a '#': True for those of parts
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
        if isinstance(item, Problem):  # a record the reader refused counts as read too;
            self.report.read += item.line > 0  # line 0 is the file (after a JSON array)
            self.problem(item)
            return
        self.report.read += 1
        parts = limit_record(item, limit=self.max_chars, mode=self.options.long_texts)
        if isinstance(parts, Problem):
            self.problem(parts)
            return
        if len(parts) > 1:
            self.report.split += 1
        for part in parts:
            clash = _long_id(part) or self._id_clash(part)
            self._keep(clash if clash is not None else self.prepare(part))

    def _keep(self, prepared: Prepared | Problem | None) -> None:
        if isinstance(prepared, Problem):
            self.problem(prepared)
        elif prepared is not None:
            for kind in prepared.pii_types if not prepared.existing else ():
                self.report.pii[kind] = self.report.pii.get(kind, 0) + 1
            self.pending.append(prepared)
            if len(self.pending) >= BATCH:
                self.flush()

    def _id_clash(self, record: Record) -> Problem | None:
        """A part's id (`<id>#<n>`) that a record of the file also has, whichever came first
        (the reader checks the file's own ids, the flush those of the project)."""
        if self.options.long_texts != "split" or record.id is None or "#" not in record.id:
            return None
        mine = record.part > 0
        if self.hash_ids.get(record.id, mine) == mine:
            self.hash_ids[record.id] = mine
            return None
        return Problem(record.line, "id", f"the id {record.id!r} is both a record's and that "
                                          f"of a part of a long text split at the limit")

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
        if len(cleaned.text) > self.max_chars:  # NFC or PII masking made it longer
            return Problem(cleaned.line, "text",
                           f"after cleaning, the text is {len(cleaned.text):,} code points; "
                           f"the limit is {self.max_chars:,} (CONCORD_MAX_DOCUMENT_CHARS)")
        labellings = self.validate(cleaned)
        if isinstance(labellings, Problem):
            return labellings
        suggestions = self.predicted(cleaned) if cleaned.predictions is not None else None
        if isinstance(suggestions, Problem):
            return suggestions
        digest = hashlib.sha256(cleaned.text.encode()).hexdigest()
        prepared = self.deduplicate(Prepared(cleaned, digest, found, labellings, suggestions,
                                             pii_types=[hit.type for hit in hits]))
        if prepared is None or prepared.existing:
            return prepared
        key = finder_key(cleaned.line, cleaned.part)
        if key in self.skip_lines:
            self.report.near_duplicates_skipped += 1
            return None
        if self.finder is not None:
            self.finder.add(key, cleaned.text)
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
        if record.gold is not None:
            parts.append(("gold", AnnotationKind.GOLD, None, record.gold))
        out: list[tuple[str, str | None, Content]] = []
        for where, kind, who, lab in parts:
            bad_name = self.annotators.problem(who) if who is not None else None
            if bad_name is not None:
                return Problem(record.line, f"{where}.annotator", bad_name)
            problem = self.labels.ensure(lab, line=record.line, where=where)
            if problem is not None:
                return problem
            try:
                out.append((kind, who, validate(record.text, self.schema, as_raw(lab))))
            except ContentError as exc:
                first = exc.errors[0]
                return Problem(record.line, f"{where}.{first['field']}", first["message"])
        return out

    def predicted(self, record: Record) -> list[Row] | Problem:
        """The suggestions of the record's predictions (see suggestions.py), or its first
        problem."""
        lab = record.predictions
        assert lab is not None
        problem = self.labels.ensure(lab, line=record.line, where="predictions")
        if problem is not None:
            return problem
        try:
            content = validate(record.text, self.loose, as_raw(lab))
        except ContentError as exc:
            first = exc.errors[0]
            return Problem(record.line, f"predictions.{first['field']}", first["message"])
        return suggestion_rows(lab, content, self.loose)

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
        if not merge or not (prepared.labellings or prepared.suggestions):
            return None
        kept = self.held.get(key)
        if kept is not None:  # still in this batch (or dropped with its batch)
            kept.labellings += prepared.labellings
            if prepared.suggestions:
                kept.suggestions = replace_rows(kept.suggestions or [], prepared.suggestions)
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
        if not self.failed:  # the labels the batch names, then the batch
            ids = self.labels.flush(content for p in batch
                                    for _kind, _who, content in p.labellings)
            if ids:
                for prepared in batch:
                    if prepared.suggestions:
                        prepared.suggestions = renumber(prepared.suggestions, ids)
        if batch and not self.failed:
            write_batch(self, batch)
            if self.finder is not None:
                for prepared in batch:
                    if not prepared.existing:
                        self.written.add(finder_key(prepared.record.line, prepared.record.part),
                                         prepared.digest)
            if self.held:  # keep ids, not whole records
                for prepared in batch:
                    if not prepared.existing and prepared.doc_id is not None:
                        key = _key(prepared.digest)
                        del self.held[key]
                        self.seen.set(key, prepared.doc_id)


ID_MAX = Document._meta.get_field("external_id").max_length or 255


def _long_id(record: Record) -> Problem | None:
    """An id longer than the column holds (a part's id counts its `#<n>`): a problem, not the
    database's DataError."""
    if record.id is None or len(record.id) <= ID_MAX:
        return None
    return Problem(record.line, "id", f"the id has {len(record.id):,} characters"
                   f"{' with its part number' if record.part else ''}; an id has at most "
                   f"{ID_MAX}")


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
