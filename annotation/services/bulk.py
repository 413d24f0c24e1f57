"""Fast inserts for imports: COPY with pre-allocated ids on PostgreSQL, bulk_create elsewhere.

Ids are allocated before the rows are written, so a batch can link documents, annotations,
spans and relations without reading anything back. Callers run inside one transaction.
"""

import json
from collections.abc import Sequence
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

    def allocate(self, model: type[models.Model], n: int) -> list[int]:
        if n == 0:
            return []
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
        opts = model._meta
        names = [_column(model, c) for c in columns]
        jsons = [i for i, c in enumerate(columns) if isinstance(opts.get_field(c),
                                                                models.JSONField)]
        statement = 'COPY "{}" ({}) FROM STDIN'.format(
            opts.db_table, ", ".join(f'"{n}"' for n in names))
        with connection.cursor() as cur, cur.cursor.copy(statement) as copy:
            for row in rows:
                if jsons:
                    values = list(row)
                    for i in jsons:
                        values[i] = _json(values[i])
                    row = tuple(values)
                copy.write_row(row)

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
        table = model._meta.db_table
        with connection.cursor() as cur:
            cur.execute(f'SELECT "{column}" FROM "{table}" WHERE project_id = %s '
                        f'AND "{column}" <> \'\' AND "{column}" = ANY(%s)', [project_id, values])
            return {row[0] for row in cur.fetchall()}


def _json(value: Any) -> str:
    return "{}" if value == {} else json.dumps(value, ensure_ascii=False)
