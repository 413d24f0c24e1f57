"""Create, drop and label the bench database (PostgreSQL only)."""

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

# Bump when the seed's shape changes, so --keep-db never reuses an older corpus.
SEED_VERSION = 1


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise ValueError(f"no database name in {url!r}")
    return name


def _admin_url(url: str) -> str:
    """The same server, connected to the `postgres` maintenance database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def marker(n: int, seed: int, gold: bool = False) -> str:
    return f"concord-bench v{SEED_VERSION} n={n} seed={seed}" + (" gold" if gold else "")


def current_marker(url: str) -> str | None:
    """The seed marker of the bench database, or None when it is missing or unmarked."""
    query = ("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
             "WHERE datname = %s")
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        row = conn.execute(query, (database_name(url),)).fetchone()
    return row[0] if row else None


def recreate(url: str) -> None:
    name = sql.Identifier(database_name(url))
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def drop(url: str) -> None:
    name = sql.Identifier(database_name(url))
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def mark(url: str, n: int, seed: int, gold: bool = False) -> None:
    name = sql.Identifier(database_name(url))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            name, sql.Literal(marker(n, seed, gold))))


def finish_load(url: str, tables: list[str]) -> None:
    """After a bulk load: move each id sequence past the data, then vacuum and analyze."""
    with psycopg.connect(url, autocommit=True) as conn:
        for table in tables:
            conn.execute(sql.SQL(
                "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
                "COALESCE((SELECT max(id) FROM {ident}), 0) + 1, false)"
            ).format(t=sql.Literal(table), ident=sql.Identifier(table)))
        conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(
            sql.SQL(", ").join(sql.Identifier(t) for t in tables)))


@contextmanager
def foreign_keys_dropped(conn: psycopg.Connection, tables: list[str]) -> Iterator[None]:
    """Drop the tables' foreign keys, then add them back, which checks all rows in one pass.

    Django makes them DEFERRABLE INITIALLY DEFERRED, so a bulk load would otherwise queue one
    trigger event per row and per key until commit: slower than the load itself. Use inside
    a transaction, so a failure leaves the keys in place.
    """
    keys = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conname", (tables,)
    ).fetchall()
    for table, name, _ in keys:
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
            sql.Identifier(table), sql.Identifier(name)))
    yield
    for table, name, definition in keys:
        conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
            sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)))
