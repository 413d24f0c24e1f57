"""Near-duplicate groups written onto the documents (`Document.near_duplicate_group`), so the
document manager can filter by them.

The finder knows a stored document by its negated id and a new record by its place in the
file (`finder_key`: line and part). Most new documents are written without their ids being
read back (a COPY), so `WrittenKeys` keeps, for each record written, its place and the first
64 bits of its text's sha256 (16 bytes a record); at the end, the documents this import
added whose hash a grouped record has are found by one walk over them. A group's id is the
smallest document id in it. Two records with the same text (imported with duplicates=keep)
share their hash: both go to the group, which they belong in anyway.
"""

from array import array
from collections import defaultdict

import numpy as np
from django.db import connection

from annotation.models import Document
from projects.models import Project

GROUP_BATCH = 5000  # rows per UPDATE (a VALUES list of two parameters each)


def hash_key(digest: str) -> int:
    """The first 64 bits of a sha256 (hex)."""
    return int(digest[:16], 16)


class WrittenKeys:
    """The finder keys of the records an import wrote, and their texts' hash keys."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.before = project.documents.order_by("-id").values_list("id", flat=True).first() or 0
        self.keys, self.hashes = array("q"), array("Q")

    def add(self, key: int, digest: str) -> None:
        self.keys.append(key)
        self.hashes.append(hash_key(digest))

    def hashes_of(self, keys: list[int]) -> list[int | None]:
        """The hash key of each finder key; None for a record that was not written."""
        if not self.keys or not keys:
            return [None] * len(keys)
        known = np.frombuffer(self.keys, dtype=np.int64)
        order = np.argsort(known, kind="stable")
        ordered, wanted = known[order], np.asarray(keys, dtype=np.int64)
        at = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
        hashes = np.frombuffer(self.hashes, dtype=np.uint64)[order[at]]
        return [int(h) if hit else None for h, hit in zip(hashes, ordered[at] == wanted,
                                                          strict=True)]

    def ids_of(self, hashes: set[int]) -> dict[int, list[int]]:
        """The documents this import added whose text has one of `hashes`."""
        found: dict[int, list[int]] = defaultdict(list)
        if not hashes:
            return found
        rows = (Document.objects.filter(project=self.project, id__gt=self.before)
                .order_by("id").values_list("id", "content_hash"))
        for doc_id, digest in rows.iterator(chunk_size=5000):
            key = hash_key(digest)
            if key in hashes:
                found[key].append(doc_id)
        return found


def group_rows(groups: list[list[int]], written: WrittenKeys) -> list[tuple[int, int]]:
    """(document id, group id) for every document of `groups` (finder keys), by id."""
    hashed = [written.hashes_of([key for key in group if key > 0]) for group in groups]
    ids_by_hash = written.ids_of({h for hashes in hashed for h in hashes if h is not None})
    out: dict[int, int] = {}
    for group, hashes in zip(groups, hashed, strict=True):
        ids = {-key for key in group if key < 0}
        ids.update(i for h in hashes if h is not None for i in ids_by_hash.get(h, ()))
        if len(ids) > 1:
            first = min(ids)
            out.update((doc_id, min(first, out.get(doc_id, first))) for doc_id in ids)
    return sorted(out.items())


def groups_write(rows: list[tuple[int, int]]) -> int:
    """Set each document's group: an UPDATE joined to a VALUES list per GROUP_BATCH rows."""
    table = connection.ops.quote_name(Document._meta.db_table)
    written = 0
    with connection.cursor() as cursor:
        for at in range(0, len(rows), GROUP_BATCH):
            batch = rows[at:at + GROUP_BATCH]
            values = ", ".join(["(%s, %s)"] * len(batch))
            cursor.execute(f"UPDATE {table} SET near_duplicate_group = v.column2 FROM "
                           f"(VALUES {values}) v WHERE {table}.id = v.column1",
                           [value for row in batch for value in row])
            written += max(cursor.rowcount, 0)
    return written
