"""The rows that every save of an annotation reads and writes, in SQL stated once.

An autosave comes a moment after each change, so these statements run more often than any
other. Building them with the ORM (`select_for_update` with `select_related`, `bulk_create`)
cost three to five times the CPU of running them (docs/performance.md, "The save path").
The SQL stays portable: row locks where the database has them (SQLite has none and
serialises writers itself), and values adapted by the backend's own operations.
"""

from datetime import datetime
from typing import Any

from django.db import connection

from annotation.models import (
    Annotation,
    Assignment,
    AssignmentStatus,
    Document,
    Relation,
    SentimentChoice,
    Span,
)
from annotation.pure.content import Content

BATCH_PARAMETERS = 30_000
DOCUMENT_FIELDS = ("id", "project_id", "external_id", "text", "status", "is_gold_check")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type) -> str:
    return _q(model._meta.db_table)  # type: ignore[attr-defined]


def _for_update(of: str = "") -> str:
    if not connection.features.has_select_for_update:
        return ""
    return f" FOR UPDATE OF {of}" if of and connection.features.has_select_for_update_of \
        else " FOR UPDATE"


def lease_locked(*, project_id: int, user_id: int, document_id: int) -> Assignment | None:
    """The user's assignment of the project's document, unless skipped, locked, with the
    document's text and status (meta and pii load only if asked for)."""
    columns = ", ".join(f"d.{_q(name)} AS {_q('doc_' + name)}" for name in DOCUMENT_FIELDS)
    sql = (f"SELECT a.*, {columns} FROM {_table(Assignment)} a "
           f"JOIN {_table(Document)} d ON d.id = a.document_id "
           f"WHERE a.document_id = %s AND a.annotator_id = %s AND a.project_id = %s "
           f"AND a.status <> %s{_for_update('a')}")
    params = [document_id, user_id, project_id, AssignmentStatus.SKIPPED.value]
    assignment = next(iter(Assignment.objects.raw(sql, params)), None)
    if assignment is None:
        return None
    values = [getattr(assignment, "doc_" + name) for name in DOCUMENT_FIELDS]
    document = Document.from_db(connection.alias, list(DOCUMENT_FIELDS), values)
    document.is_gold_check = bool(document.is_gold_check)
    assignment.document = document
    return assignment


def annotation_locked(*, document_id: int, kind: str, annotator_id: int | None
                      ) -> Annotation | None:
    """The document's annotation of that kind (an annotator's own, when given), locked."""
    who = " AND annotator_id = %s" if annotator_id is not None else ""
    sql = (f"SELECT * FROM {_table(Annotation)} WHERE document_id = %s AND kind = %s"
           f"{who}{_for_update()}")
    params: list[Any] = [document_id, kind] + ([annotator_id] if annotator_id is not None else [])
    return next(iter(Annotation.objects.raw(sql, params)), None)


def annotation_update(*, annotation_id: int, fields: dict[str, Any]) -> None:
    """UPDATE the annotation's columns (by attname); datetimes adapted as the ORM would."""
    values = [connection.ops.adapt_datetimefield_value(value) if isinstance(value, datetime)
              else value for value in fields.values()]
    assignments = ", ".join(f"{_q(name)} = %s" for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table(Annotation)} SET {assignments} WHERE id = %s",
                       [*values, annotation_id])


def _insert(cursor: Any, model: type, columns: tuple[str, ...], rows: list[tuple],
            returning: bool = False) -> list[int]:
    """Multi-row INSERTs of at most BATCH_PARAMETERS values each (PostgreSQL takes 65,535
    per statement, SQLite 32,766); the new ids, in order, when `returning`."""
    ids: list[int] = []
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    head = f"INSERT INTO {_table(model)} ({', '.join(_q(c) for c in columns)}) VALUES "
    tail = " RETURNING id" if returning else ""
    step = max(1, BATCH_PARAMETERS // len(columns))
    for at in range(0, len(rows), step):
        batch = rows[at:at + step]
        cursor.execute(head + ", ".join([one] * len(batch)) + tail,
                       [value for row in batch for value in row])
        if returning:
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def content_insert(*, annotation_id: int, content: Content) -> None:
    """The annotation's spans, then its relations (by the spans' new ids) and sentiment.
    Rows come back from INSERT ... RETURNING in the order of VALUES, as bulk_create also
    relies on."""
    with connection.cursor() as cursor:
        ids = _insert(cursor, Span, ("annotation_id", "start", "end", "label_id"),
                      [(annotation_id, s, e, label) for s, e, label in content.entities],
                      returning=True)
        _insert(cursor, Relation, ("annotation_id", "head_id", "tail_id", "label_id"),
                [(annotation_id, ids[h], ids[t], label) for h, t, label in content.relations])
        _insert(cursor, SentimentChoice, ("annotation_id", "label_id"),
                [(annotation_id, label) for label in content.sentiment])
