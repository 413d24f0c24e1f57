"""Balance aggregates, computed by the agreement job and stored in its report under
``balance``: how often each label was used, in the submitted annotations and in gold, over
all documents and per value of each meta field with few distinct values, together with the
agreement inside each such slice. The pages read these numbers; they never count
annotations themselves (see docs/agreement.md, "Data balance")."""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings

from annotation.pure.agreement.inputs import Corpus, LabelMeta
from annotation.pure.agreement.slices import slice_agreement
from annotation.selectors.agreement import StoredAnnotations
from annotation.selectors.balance import GoldLabels, document_meta, gold_labels
from projects.models import LabelKind, Project

KINDS: tuple[str, ...] = (LabelKind.ENTITY, LabelKind.RELATION, LabelKind.SENTIMENT)
Rows = tuple[np.ndarray, np.ndarray]  # document ids, label ids: one row per label used


@dataclass
class MetaFields:
    """Document ids (sorted) and, per sliceable field, a value code per document (-1 when
    the document has no value); the fields that could not be sliced, with the reason."""

    ids: np.ndarray
    codes: dict[str, np.ndarray] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)


def _value_key(value: Any) -> str | None:
    """A meta value as a slice name: strings as they are, numbers and booleans as JSON;
    None for a missing value. Lists and objects cannot be sliced (ValueError)."""
    if value is None or value == "":
        return None
    if isinstance(value, dict | list):
        raise ValueError
    return value if isinstance(value, str) else json.dumps(value)


def meta_fields(rows: Iterable[tuple[int, dict]], max_values: int, max_fields: int
                ) -> MetaFields:
    """One pass over (id, meta): the fields with at most ``max_values`` distinct plain
    values, at most ``max_fields`` of them (those most documents have)."""
    ids: list[int] = []
    seen: dict[str, dict[str, int]] = {}
    hits: dict[str, list[tuple[int, int]]] = {}
    bad: dict[str, str] = {}
    for row, (pk, meta) in enumerate(rows):
        ids.append(pk)
        for name, raw in (meta.items() if isinstance(meta, dict) else ()):
            if name in bad:
                continue
            try:
                key = _value_key(raw)
            except ValueError:
                bad[name] = "its values are lists or objects"
                continue
            if key is None:
                continue
            values = seen.setdefault(name, {})
            code = values.setdefault(key, len(values))
            if len(values) > max_values:
                bad[name] = f"more than {max_values} distinct values"
                continue
            hits.setdefault(name, []).append((row, code))
    order = np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
    where = np.empty(len(ids), dtype=np.int64)
    where[order] = np.arange(len(ids))
    out = MetaFields(ids=np.asarray(ids, dtype=np.int64)[order])
    usable = sorted((n for n in hits if n not in bad), key=lambda n: (-len(hits[n]), n))
    for name in usable[max_fields:]:
        bad[name] = f"only the {max_fields} fields most documents have are sliced"
    for name in sorted(usable[:max_fields]):
        codes = np.full(len(ids), -1, dtype=np.int64)
        pairs = np.asarray(hits[name], dtype=np.int64).reshape(-1, 2)
        codes[where[pairs[:, 0]]] = pairs[:, 1]
        out.codes[name], out.values[name] = codes, list(seen[name])
    out.skipped = [{"name": n, "reason": r} for n, r in sorted(bad.items())]
    return out


def _label_index(stored: StoredAnnotations, kind: str) -> tuple[list[str], dict[int, int]]:
    rows = sorted((order, lid, name) for lid, (k, name, _v, order) in stored.labels.items()
                  if k == kind)
    return [name for _, _, name in rows], {lid: i for i, (_, lid, _) in enumerate(rows)}


def _submitted(stored: StoredAnnotations) -> dict[str, Rows]:
    doc = stored.annotations[:, 1]
    return {LabelKind.ENTITY: (doc[stored.spans[:, 0]], stored.spans[:, 4]),
            LabelKind.RELATION: (doc[stored.relations[:, 0]], stored.relations[:, 3]),
            LabelKind.SENTIMENT: (doc[stored.sentiment[:, 0]], stored.sentiment[:, 1])}


def _gold(gold: GoldLabels) -> dict[str, Rows]:
    return {LabelKind.ENTITY: (gold.spans[:, 0], gold.spans[:, 1]),
            LabelKind.RELATION: (gold.relations[:, 0], gold.relations[:, 1]),
            LabelKind.SENTIMENT: (gold.sentiment[:, 0], gold.sentiment[:, 1])}


def _positions(index: dict[int, int], label: np.ndarray) -> np.ndarray:
    """The position of each label id in its kind's order; -1 for an id of another kind."""
    table = np.full(int(label.max()) + 1 if len(label) else 0, -1, dtype=np.int64)
    for lid, i in index.items():
        if lid < len(table):
            table[lid] = i
    return table[label]


class _Counter:
    """Counts per (slice, label) by vectorised bincounts; slice `n_values` is "no value"."""

    def __init__(self, fields: MetaFields, labels: dict[str, tuple[list[str], dict[int, int]]]):
        self.fields, self.labels = fields, labels

    def positions(self, docs: np.ndarray) -> np.ndarray:
        """Row of each document in fields.ids; -1 for one not there (deleted meanwhile)."""
        ids = self.fields.ids
        if not len(ids):
            return np.full(len(docs), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(ids, docs), len(ids) - 1)
        return np.where(ids[at] == docs, at, -1)

    def slice_codes(self, name: str | None, docs: np.ndarray) -> tuple[np.ndarray, int]:
        if name is None:
            return np.zeros(len(docs), dtype=np.int64), 1
        n = len(self.fields.values[name])
        at = self.positions(docs)
        codes = np.where(at >= 0, self.fields.codes[name][np.maximum(at, 0)], -1)
        return np.where(codes < 0, n, codes), n + 1

    def labels_per_slice(self, name: str | None, rows: dict[str, Rows]
                         ) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for kind in KINDS:
            names, index = self.labels[kind]
            doc, label = rows[kind]
            pos = _positions(index, label)
            codes, n = self.slice_codes(name, doc)
            ok = pos >= 0
            flat = np.bincount(codes[ok] * len(names) + pos[ok], minlength=n * len(names))
            out[kind] = flat.reshape(n, len(names))
        return out

    def documents_per_slice(self, name: str | None, docs: np.ndarray) -> np.ndarray:
        codes, n = self.slice_codes(name, docs)
        return np.bincount(codes, minlength=n)


def _group(counter: _Counter, name: str | None, submitted: dict[str, Rows],
           gold_rows: dict[str, Rows], gold: GoldLabels, submitted_docs: np.ndarray
           ) -> list[dict[str, Any]]:
    sub = counter.labels_per_slice(name, submitted)
    gld = counter.labels_per_slice(name, gold_rows)
    docs = counter.documents_per_slice(name, counter.fields.ids)
    sub_docs = counter.documents_per_slice(name, submitted_docs)
    gold_docs = counter.documents_per_slice(name, gold.documents)
    values: list[str | None] = [*counter.fields.values[name], None] if name else [None]
    return [{"value": value, "documents": int(docs[i]), "submitted_documents": int(sub_docs[i]),
             "gold_documents": int(gold_docs[i]),
             "submitted": {k: sub[k][i].tolist() for k in KINDS},
             "gold": {k: gld[k][i].tolist() for k in KINDS}}
            for i, value in enumerate(values)]


def balance(*, project: Project, stored: StoredAnnotations, corpus: Corpus, meta: LabelMeta
            ) -> dict[str, Any]:
    """The ``balance`` part of the report (docs/agreement.md describes its shape)."""
    max_values = settings.CONCORD_BALANCE_MAX_VALUES
    fields = meta_fields(document_meta(project=project), max_values,
                         settings.CONCORD_BALANCE_MAX_FIELDS)
    labels: dict[str, tuple[list[str], dict[int, int]]] = {
        kind: _label_index(stored, kind) for kind in KINDS}
    counter = _Counter(fields, labels)
    gold = gold_labels(project=project)
    submitted, gold_rows = _submitted(stored), _gold(gold)
    submitted_docs = np.unique(stored.annotations[:, 1])
    overall = _group(counter, None, submitted, gold_rows, gold, submitted_docs)[0]
    del overall["value"]
    corpus_docs = np.asarray(corpus.doc_ids, dtype=np.int64)
    sliced: list[dict[str, Any]] = []
    for name in fields.codes:
        values = _group(counter, name, submitted, gold_rows, gold, submitted_docs)
        codes, _ = counter.slice_codes(name, corpus_docs)
        for code, row in enumerate(values):
            keep = codes == code
            row["agreement"] = slice_agreement(corpus, meta, keep) if keep.any() else None
        sliced.append({"name": name, "values": sorted(
            [v for v in values if v["documents"] or v["value"] is not None],
            key=lambda v: (v["value"] is None, -v["documents"], str(v["value"])))})
    return {"labels": {kind: labels[kind][0] for kind in KINDS}, "overall": overall,
            "fields": sliced, "skipped_fields": fields.skipped, "max_values": max_values}
