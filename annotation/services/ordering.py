"""The project setting `order`: where `next` hands each new document out.

`rows.candidate` takes the open documents by `Document.rank` (lowest first, then by id),
those with a rank before those without, when the order is not sequential; this module
writes the ranks of the project's new documents (`document_ranks_refresh`):

- sequential: no rank at all (every rank is cleared), documents go by id;
- random: a pseudo-random number in [0, 1) hashed from the project id and the document
  id: seeded by the project, the same on every run and on every database;
- uncertainty: the document's `confidence` (least confident first); a document without
  one has no rank and comes after those with one, by id, so a project whose documents
  have no confidence yet is handed out as sequential;
- stratified: round robin over the values of `meta[order_field]` (a document without the
  key, or with null, is in a stratum of its own): rank = the document's position in its
  stratum (by id) + the stratum's number / the number of strata.

Each writes in batches, portable between PostgreSQL and SQLite, outside a transaction
each committing alone, so row locks stay short while annotators work: random, uncertainty
and the clearing are an UPDATE per range of RANK_BATCH ids, computed in SQL; stratified
walks the new documents by id in keyset pages, counting places per stratum, and writes
each page with one UPDATE joined to a VALUES list. Rows whose rank would not change are
not written, so a second run writes nothing (idempotent, and after an import under random
only the new documents are written). The ranks go stale when documents change (an import,
new confidences, a meta edit): run it again then; a document without a rank is still
handed out, after the ranked ones.
"""

from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform

from annotation.models import Document, DocumentStatus
from projects.models import Order, Project

RANK_BATCH = 10_000  # documents per UPDATE (row locks held by one are short)
MASK = 0xFFFFFFFF  # the hash works on 32 bits: no product leaves a 64-bit integer
MIX = 0x45D9F3B  # a well-mixing multiplier for 32-bit integers
SEED = 0x9E3779B1  # the golden ratio in 32 bits: spreads project ids apart


def _table() -> str:
    return connection.ops.quote_name(Document._meta.db_table)


def _differs(a: str, b: str) -> str:
    """`a` and `b` differ, NULL being a value (SQLite older than 3.39 lacks IS DISTINCT)."""
    if connection.vendor == "sqlite":
        return f"{a} IS NOT {b}"
    return f"{a} IS DISTINCT FROM {b}"


def _xor(a: str, b: str) -> str:
    return f"(({a} | {b}) - ({a} & {b}))"  # SQLite has no XOR operator


def _mix(x: str) -> str:
    """One round of a 32-bit integer hash: x = ((x >> 16) ^ x) * MIX mod 2**32."""
    return f"(({_xor(f'({x} >> 16)', x)} * {MIX}) & {MASK})"


def random_rank_sql(project_id: int) -> str:
    """SQL for the random rank of document `id` in [0, 1): three rounds of the hash of
    (id + project * SEED) mod 2**32; ties (1 in 4 billion) fall to the id."""
    x = f"((id + {int(project_id) * SEED}) & {MASK})"
    return f"({_mix(_mix(_mix(x)))} / 4294967296.0)"


def random_rank(project_id: int, document_id: int) -> float:
    """What random_rank_sql computes, in Python (for tests and for reading)."""
    x = (document_id + project_id * SEED) & MASK
    for _ in range(3):
        x = (((x >> 16) ^ x) * MIX) & MASK
    return x / 4294967296.0


def _id_bounds(project_id: int) -> tuple[int, int] | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {_table()} WHERE project_id = %s",
                       [project_id])
        low, high = cursor.fetchone()
    return None if low is None else (int(low), int(high))


def _set_in_batches(project_id: int, value: str, where: str) -> int:
    """UPDATE rank = `value` (SQL over the row) on the project's rows matching `where`
    whose rank differs, RANK_BATCH ids at a time; the rows written."""
    bounds = _id_bounds(project_id)
    if bounds is None:
        return 0
    sql = (f"UPDATE {_table()} SET rank = {value} WHERE project_id = %s AND id >= %s "
           f"AND id < %s AND {where} AND {_differs('rank', value)}")
    written = 0
    with connection.cursor() as cursor:
        for low in range(bounds[0], bounds[1] + 1, RANK_BATCH):
            cursor.execute(sql, [project_id, low, low + RANK_BATCH])
            written += max(cursor.rowcount, 0)
    return written


def _new() -> str:
    return f"status = '{DocumentStatus.NEW.value}'"


def _ranks_clear(project_id: int) -> int:
    return _set_in_batches(project_id, "NULL", "rank IS NOT NULL")


def _ranks_random(project_id: int) -> int:
    return _set_in_batches(project_id, random_rank_sql(project_id), _new())


def _ranks_uncertainty(project_id: int) -> int:
    return _set_in_batches(project_id, "confidence", _new())


def _stratum_rows(project_id: int, field: str) -> QuerySet[Any, Any]:
    return (Document.objects.filter(project_id=project_id, status=DocumentStatus.NEW)
            .annotate(stratum=KeyTextTransform(field, "meta")).order_by())


def _strata(project_id: int, field: str) -> dict[str | None, int]:
    """Each stratum's number, from 0: by value, the stratum without a value last."""
    values = _stratum_rows(project_id, field).values_list("stratum", flat=True).distinct()
    found = sorted(values, key=lambda v: (v is None, v or ""))
    return {value: number for number, value in enumerate(found)}


def _set_ranks(ranks: list[tuple[int, float]]) -> int:
    """Write (id, rank) pairs, in id order, whose rank differs: one UPDATE joined to a
    VALUES list (the id range keeps the plan on the primary key)."""
    if not ranks:
        return 0
    table = _table()
    values = ", ".join(["(%s, %s)"] * len(ranks))
    sql = (f"UPDATE {table} SET rank = v.column2 FROM (VALUES {values}) v "
           f"WHERE {table}.id = v.column1 AND {table}.id >= %s AND {table}.id <= %s "
           f"AND {_differs(f'{table}.rank', 'v.column2')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(value for pair in ranks for value in pair),
                             ranks[0][0], ranks[-1][0]])
        return max(cursor.rowcount, 0)


def _ranks_stratified(project_id: int, field: str) -> int:
    """Walk the new documents by id, RANK_BATCH at a time, counting each stratum's place:
    rank = place + number / strata. A stratum that turns up during the walk comes last."""
    strata = _strata(project_id, field)
    count = max(1, len(strata))
    places: dict[str | None, int] = {}
    written, after = 0, 0
    while True:
        batch = list(_stratum_rows(project_id, field).filter(id__gt=after).order_by("id")
                     .values_list("id", "stratum")[:RANK_BATCH])
        if not batch:
            return written
        ranks: list[tuple[int, float]] = []
        for pk, stratum in batch:
            place = places.get(stratum, 0)
            places[stratum] = place + 1
            ranks.append((pk, place + strata.setdefault(stratum, len(strata)) / count))
        written += _set_ranks(ranks)
        after = batch[-1][0]


def document_ranks_refresh(*, project_id: int) -> int:
    """Write the ranks of the project's new documents for its order; the rows written
    (0 for a missing project). Safe to run again and while annotators work."""
    project = Project.objects.filter(pk=project_id).only("order", "order_field").first()
    if project is None:
        return 0
    if project.order == Order.RANDOM:
        return _ranks_random(project_id)
    if project.order == Order.UNCERTAINTY:
        return _ranks_uncertainty(project_id)
    if project.order == Order.STRATIFIED and project.order_field:
        return _ranks_stratified(project_id, project.order_field)
    return _ranks_clear(project_id)


def ranks_after_import(*, project: Project) -> int:
    """For the import job: rank the new documents unless the order is sequential (whose
    documents carry no rank)."""
    if project.order == Order.SEQUENTIAL:
        return 0
    return document_ranks_refresh(project_id=project.pk)

