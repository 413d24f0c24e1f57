"""The rows that every next-document request and every save read and write, in SQL
stated once.

An autosave comes a moment after each change, and each submit asks for the next document,
so these statements run more often than any other. Building them with the ORM
(`select_for_update` with `select_related`, subqueries, `bulk_create`) cost three to five
times the CPU of running them (docs/architecture.md, "The labeling hot path"). The SQL stays
portable: row locks where the database has them (SQLite has none and serialises writers
itself), and values adapted by the backend's own operations.
"""

from datetime import datetime
from typing import Any

from django.db import connection

from annotation.models import (
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    Document,
    DocumentStatus,
    Relation,
    SentimentChoice,
    Span,
)
from annotation.pure.content import Content
from projects.models import Membership, Order

BATCH_PARAMETERS = 30_000
DOCUMENT_FIELDS = ("id", "project_id", "external_id", "text", "status", "is_gold_check")


def _dt(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type) -> str:
    return _q(model._meta.db_table)  # type: ignore[attr-defined]


def _for_update(of: str = "", *, skip_locked: bool = False) -> str:
    features = connection.features
    if not features.has_select_for_update:
        return ""
    lock = f" FOR UPDATE OF {of}" if of and features.has_select_for_update_of else " FOR UPDATE"
    return lock + (" SKIP LOCKED" if skip_locked and features.has_select_for_update_skip_locked
                   else "")


def _one(sql: str, params: list[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def _live(alias: str) -> str:
    """The SQL of selectors.labeling.live(): an assignment holding one of the k places."""
    return (f"({alias}.status IN ('{AssignmentStatus.SUBMITTED.value}', "
            f"'{AssignmentStatus.ASSIGNED.value}') OR ({alias}.status = "
            f"'{AssignmentStatus.ACTIVE.value}' AND {alias}.expires_at > %s))")


def membership_lock(*, project_id: int, user_id: int) -> None:
    """Lock the requester's membership row: one user's next requests run one at a time."""
    _one(f"SELECT 1 FROM {_table(Membership)} WHERE project_id = %s AND user_id = %s"
         f"{_for_update()}", [project_id, user_id])


def document_lock(*, document_id: int) -> None:
    """Lock the document's row (a submission recounts its status under this lock)."""
    _one(f"SELECT 1 FROM {_table(Document)} WHERE id = %s{_for_update()}", [document_id])


def document_counts(*, document_id: int) -> tuple[int, int]:
    """The document's gold annotations and submitted annotations, in one scan."""
    sql = (f"SELECT COUNT(*) FILTER (WHERE kind = %s), COUNT(*) FILTER (WHERE kind = %s AND "
           f"status = %s) FROM {_table(Annotation)} WHERE document_id = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [AnnotationKind.GOLD.value, AnnotationKind.ANNOTATION.value,
                             AnnotationStatus.SUBMITTED.value, document_id])
        gold, done = cursor.fetchone()
    return int(gold), int(done)


def lease_open(*, project_id: int, user_id: int) -> Assignment | None:
    """The user's oldest active assignment in the project (its lease may have run out), else
    the oldest a manager handed them (assigned), locked."""
    sql = (f"SELECT * FROM {_table(Assignment)} WHERE project_id = %s AND annotator_id = %s "
           f"AND status IN (%s, %s) ORDER BY CASE WHEN status = %s THEN 0 ELSE 1 END, "
           f"created_at, id LIMIT 1{_for_update()}")
    params = [project_id, user_id, AssignmentStatus.ACTIVE.value,
              AssignmentStatus.ASSIGNED.value, AssignmentStatus.ACTIVE.value]
    return next(iter(Assignment.objects.raw(sql, params)), None)


def holders(*, document_id: int, now: datetime, exclude_user_id: int | None = None) -> int:
    """How many of the document's k places are taken (by others than `exclude_user_id`)."""
    other = " AND annotator_id <> %s" if exclude_user_id is not None else ""
    count = _one(f"SELECT COUNT(*) FROM {_table(Assignment)} h WHERE h.document_id = %s AND "
                 f"{_live('h')}{other}",
                 [document_id, _dt(now), *([exclude_user_id] if other else [])])
    return int(count)


def _candidate(*, project_id: int, user_id: int, now: datetime, overlap: int,
               tried: list[int], wait: bool, ranked: bool | None) -> int | None:
    """candidate() among the documents with a rank (by rank, then id: the partial index
    document_rank), without one (by id), or all (by id) when `ranked` is None."""
    skip = f" AND d.id NOT IN ({', '.join(['%s'] * len(tried))})" if tried else ""
    rank = {None: "", True: " AND d.rank IS NOT NULL", False: " AND d.rank IS NULL"}[ranked]
    order = "d.rank, d.id" if ranked else "d.id"
    sql = (f"SELECT d.id FROM {_table(Document)} d WHERE d.project_id = %s AND d.status = %s"
           f"{rank} AND NOT EXISTS (SELECT 1 FROM {_table(Assignment)} m WHERE m.document_id"
           f" = d.id AND m.annotator_id = %s AND m.status <> %s)"
           f" AND (SELECT COUNT(*) FROM {_table(Assignment)} h WHERE h.document_id = d.id"
           f" AND {_live('h')}) < %s{skip}"
           f" ORDER BY {order} LIMIT 1{_for_update('d', skip_locked=not wait)}")
    params = [project_id, DocumentStatus.NEW.value, user_id, AssignmentStatus.EXPIRED.value,
              _dt(now), overlap, *tried]
    return _one(sql, params)


def candidate(*, project_id: int, user_id: int, now: datetime, overlap: int,
              tried: list[int], wait: bool, order: str = Order.SEQUENTIAL) -> int | None:
    """The first new document with fewer than k holders that the user never held (a lapsed
    lease of theirs aside), skipping `tried`; locked, skipping rows others have locked
    unless `wait`. First means by id under the sequential `order` (the project's), else by
    rank, then id, documents without a rank last: two probes then, so each walks an index
    in its order and stops at the first fit (services.ordering).
    selectors.labeling.documents_open_to states the same rule for reading;
    tests/annotation/services/test_rows_rules.py holds the two (and `_live` and `live`)
    equal on random data."""
    args: dict[str, Any] = {"project_id": project_id, "user_id": user_id, "now": now,
                            "overlap": overlap, "tried": tried, "wait": wait}
    if order == Order.SEQUENTIAL:
        return _candidate(**args, ranked=None)
    found = _candidate(**args, ranked=True)
    return found if found is not None else _candidate(**args, ranked=False)


def lease_take(*, project_id: int, user_id: int, document_id: int, now: datetime,
               expires_at: datetime) -> Assignment:
    """Insert the active lease, or revive the user's lapsed one: one statement."""
    columns = ("project_id", "document_id", "annotator_id", "status", "created_at",
               "expires_at", "finished_at")
    sql = (f"INSERT INTO {_table(Assignment)} ({', '.join(_q(c) for c in columns)}) "
           f"VALUES (%s, %s, %s, %s, %s, %s, NULL) ON CONFLICT (document_id, annotator_id) "
           f"DO UPDATE SET status = EXCLUDED.status, expires_at = EXCLUDED.expires_at, "
           f"finished_at = NULL RETURNING id")
    status = AssignmentStatus.ACTIVE.value
    with connection.cursor() as cursor:
        cursor.execute(sql, [project_id, document_id, user_id, status, _dt(now),
                             _dt(expires_at)])
        [pk] = cursor.fetchone()
    return Assignment.from_db(connection.alias, ["id", *columns], [
        pk, project_id, document_id, user_id, status, now, expires_at, None])


def row_update(*, model: type, pk: int, fields: dict[str, Any]) -> None:
    """UPDATE the row's columns (by attname); datetimes adapted as the ORM would."""
    values = [_dt(value) if isinstance(value, datetime) else value for value in fields.values()]
    assignments = ", ".join(f"{_q(name)} = %s" for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table(model)} SET {assignments} WHERE id = %s", [*values, pk])


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
    row_update(model=Annotation, pk=annotation_id, fields=fields)


def _insert(cursor: Any, model: type, columns: tuple[str, ...], rows: list[tuple],
            returning: bool = False) -> list[int]:
    """Multi-row INSERTs of at most BATCH_PARAMETERS values each (PostgreSQL takes 65,535
    per statement, SQLite 32,766); the new ids, in order, when `returning`. On PostgreSQL,
    one statement whatever the count: the columns as arrays, unnested in order (a VALUES
    list of thousands of placeholders costs more to build and parse than to store)."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _insert_arrays(cursor, model, columns, rows, returning)
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


def _insert_arrays(cursor: Any, model: type, columns: tuple[str, ...], rows: list[tuple],
                   returning: bool) -> list[int]:
    """INSERT ... SELECT FROM unnest(arrays) WITH ORDINALITY ORDER BY it: the rows go in,
    and their ids come back, in the order given (as a VALUES list's do)."""
    names = [f"c{i}" for i in range(len(columns))]
    arrays = ", ".join(["%s::bigint[]"] * len(columns))
    sql = (f"INSERT INTO {_table(model)} ({', '.join(_q(c) for c in columns)}) "
           f"SELECT {', '.join(names)} FROM unnest({arrays}) WITH ORDINALITY "
           f"AS t({', '.join(names)}, n) ORDER BY n{' RETURNING id' if returning else ''}")
    cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
    return [row[0] for row in cursor.fetchall()] if returning else []


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
