"""Fast inserts for imports: COPY with pre-allocated ids on PostgreSQL, bulk_create elsewhere.

Ids are allocated before the rows are written, so a batch can link documents, annotations,
spans and relations without reading anything back. Callers run inside one transaction.

Rows that need no id (`append`) go into a COPY that stays open from one batch to the next,
so that the server stores them while the caller reads and prepares the next ones; waiting
for each batch's COPY to finish would leave one of the two idle at any time. Inside
`streaming()`, any query through Django's connection ends the open COPY first.
"""

import json
import json.encoder
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime
from typing import Any

from django.db import connection, models

Row = tuple[Any, ...]


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.column)


class BulkWriter:
    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self._next: dict[str, int] = {}
        self._open: tuple[str, ExitStack, Any] | None = None  # statement, its exit, the copy

    def timestamp(self, value: datetime) -> datetime | str:
        """`value` as rows should hold it: COPY takes the text, which saves adapting it per row."""
        return value.isoformat() if self.postgres else value

    def allocate(self, model: type[models.Model], n: int) -> list[int]:
        if n == 0:
            return []
        self.close()
        table = model._meta.db_table
        with connection.cursor() as cur:
            if self.postgres:
                cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                            "FROM generate_series(1, %s)", [table, n])
                return [row[0] for row in cur.fetchall()]
            if table not in self._next:  # SQLite: the write lock is held until commit
                cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
                self._next[table] = cur.fetchone()[0] + 1
        start = self._next[table]
        self._next[table] = start + n
        return list(range(start, start + n))

    def insert(self, model: type[models.Model], columns: Sequence[str],
               rows: Sequence[Row]) -> None:
        if not rows:
            return
        if not self.postgres:
            model._default_manager.bulk_create(
                [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=1000)
            return
        self.close()
        with connection.cursor() as cur, cur.cursor.copy(_statement(model, columns)) as copy:
            _write(copy, _json_columns(model, columns), rows)

    def append(self, model: type[models.Model], columns: Sequence[str],
               rows: Sequence[Row]) -> None:
        """`insert`, into the COPY left open by the last `append` with the same columns."""
        if not rows:
            return
        if not self.postgres:
            self.insert(model, columns, rows)
            return
        statement = _statement(model, columns)
        if self._open is None or self._open[0] != statement:
            self.close()
            stack = ExitStack()
            cur = stack.enter_context(connection.cursor())
            self._open = statement, stack, stack.enter_context(cur.cursor.copy(statement))
        _write(self._open[2], _json_columns(model, columns), rows)

    def close(self) -> None:
        """Finish the open COPY, if any (its rows are then stored)."""
        if self._open is not None:
            stack, self._open = self._open[1], None
            stack.close()

    @contextmanager
    def streaming(self) -> Iterator[None]:
        """Keep appended rows flowing; other queries and the end of the block finish them."""

        def end_copy_first(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            self.close()
            return execute(sql, params, many, context)

        try:
            with connection.execute_wrapper(end_copy_first):
                yield
        except BaseException as exc:
            if self._open is not None:  # the COPY fails, and with it the transaction
                stack, self._open = self._open[1], None
                stack.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self.close()

    def existing(self, model: type[models.Model], column: str, project_id: int,
                 values: list[str]) -> set[str]:
        """Which of `values` (none of them blank) the project already has in `column`.

        One array parameter. The `<> ''` lets PostgreSQL use a partial index such as the
        unique (project, external_id) WHERE external_id <> '': it cannot prove that from
        an array of more than 100 values, and would scan the whole project instead.
        """
        if not self.postgres:
            rows = model._default_manager.filter(project_id=project_id,
                                                 **{f"{column}__in": values})
            return set(rows.values_list(column, flat=True))
        self.close()
        table = model._meta.db_table
        with connection.cursor() as cur:
            cur.execute(f'SELECT "{column}" FROM "{table}" WHERE project_id = %s '
                        f'AND "{column}" <> \'\' AND "{column}" = ANY(%s)', [project_id, values])
            return {row[0] for row in cur.fetchall()}


def _statement(model: type[models.Model], columns: Sequence[str]) -> str:
    names = ", ".join(f'"{_column(model, c)}"' for c in columns)
    return f'COPY "{model._meta.db_table}" ({names}) FROM STDIN'


def _json_columns(model: type[models.Model], columns: Sequence[str]) -> list[int]:
    return [i for i, c in enumerate(columns)
            if isinstance(model._meta.get_field(c), models.JSONField)]


def _write(copy: Any, jsons: list[int], rows: Sequence[Row]) -> None:
    write = copy.write_row
    if not jsons:
        for row in rows:
            write(row)
        return
    for row in rows:
        values = list(row)
        for i in jsons:
            values[i] = _json(values[i])
        write(values)


def _fail(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# json.dumps(value, ensure_ascii=False), without building an encoder at every call (3 µs)
_encode = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None, _fail, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)


def _json(value: Any) -> str:
    if value == {}:
        return "{}"
    if isinstance(value, dict | list):
        return "".join(_encode(value, 0))
    return json.dumps(value, ensure_ascii=False)
