"""The documents scenario's setup, in SQL on the seeded database: the meta slice the filter
pages look for, and the bulk copies the bulk actions act on (documents.py)."""

from typing import Any

SLICE_MOD, SLICE = 10, 3  # meta {"slice": "3"} on id % 10 = 3
COPY_FROM = 7  # bulk copies are made of the documents with id % 10 = 7



def _sql(statement: str, params: list[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement, params or [])
        return cur.rowcount


def slice_meta(project_id: int, on: bool) -> int:
    if on:
        return _sql("UPDATE annotation_document SET meta = jsonb_build_object('slice', %s::text) "
                    "WHERE project_id = %s AND id %% %s = %s AND meta = '{}'::jsonb",
                    [str(SLICE), project_id, SLICE_MOD, SLICE])
    return _sql("UPDATE annotation_document SET meta = '{}'::jsonb "
                "WHERE project_id = %s AND meta ? 'slice'", [project_id])


def vacuum(*tables: str) -> None:
    for table in tables or ("annotation_document",):
        _sql(f"VACUUM (ANALYZE) {table}")


def copies_drop(project_id: int) -> int:
    """Delete any bulk copies left by a run that died (with everything of theirs)."""
    from annotation.models import Document

    ids = list(Document.objects.filter(project_id=project_id, meta__has_key="bench_bulk")
               .values_list("pk", flat=True))
    for start in range(0, len(ids), 5000):
        Document.objects.filter(pk__in=ids[start:start + 5000]).delete()
    return len(ids)


def copies_make(project_id: int, reviewer_id: int, count: int) -> dict[str, int]:
    """`count` copies of seeded documents (id % 10 = COPY_FROM, lowest ids first) with their
    annotations, spans, relations, sentiments and assignments, and a gold for the annotated
    ones (their first annotation's copy, by the reviewer; the copy is then `reviewed`).
    Ids are the originals' plus an offset per table; the foreign keys are not checked
    (session_replication_role = replica: the rows are consistent by construction), then
    each sequence is moved past the data."""
    from django.db import connection, transaction

    tables = ("annotation_document", "annotation_annotation", "annotation_span",
              "annotation_relation", "annotation_sentimentchoice", "annotation_assignment")
    rows: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        offset = {}
        for table in tables:
            cur.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")
            offset[table] = cur.fetchone()[0]
        d, a = offset["annotation_document"], offset["annotation_annotation"]
        s, r = offset["annotation_span"], offset["annotation_relation"]
        c, g = offset["annotation_sentimentchoice"], offset["annotation_assignment"]
        # gold ids: annotation id + 2a, span id + 2s, ... (distinct from the copies' + a)
        cur.execute(
            "CREATE TEMP TABLE bench_src ON COMMIT DROP AS SELECT id, status FROM "
            "annotation_document WHERE project_id = %s AND id %% 10 = %s AND NOT meta ? "
            "'bench_bulk' ORDER BY id LIMIT %s", [project_id, COPY_FROM, count])
        cur.execute(
            "CREATE TEMP TABLE bench_gold ON COMMIT DROP AS SELECT DISTINCT ON (document_id) "
            "a.id, a.document_id FROM annotation_annotation a JOIN bench_src s "
            "ON s.id = a.document_id WHERE s.status = 'annotated' AND a.kind = 'annotation' "
            "ORDER BY document_id, a.id")
        cur.execute(
            "INSERT INTO annotation_document (id, external_id, text, meta, content_hash, status, "
            "pii, is_gold_check, created_at, project_id, confidence, rank, near_duplicate_group) "
            "SELECT d.id + %s, 'bulk-' || d.external_id, d.text, '{\"bench_bulk\": \"1\"}', "
            "d.content_hash, CASE WHEN d.status = 'annotated' THEN 'reviewed' ELSE d.status END, "
            "d.pii, false, d.created_at, d.project_id, NULL, NULL, NULL "
            "FROM annotation_document d JOIN bench_src USING (id)", [d])
        rows["documents"] = cur.rowcount
        annotations = ("INSERT INTO annotation_annotation (id, kind, status, version, "
                       "seconds_spent, created_at, updated_at, submitted_at, annotator_id, "
                       "project_id, document_id) SELECT a.id + {aoff}, {kind}, a.status, "
                       "a.version, a.seconds_spent, a.created_at, a.updated_at, a.submitted_at, "
                       "{annotator}, a.project_id, a.document_id + %s FROM annotation_annotation "
                       "a JOIN {src} ON {src}.{key} = a.{col}{where}")
        cur.execute(annotations.format(aoff=a, kind="a.kind", annotator="a.annotator_id",
                                       src="bench_src", key="id", col="document_id",
                                       where=" WHERE a.kind = 'annotation'"), [d])
        rows["annotations"] = cur.rowcount
        cur.execute(annotations.format(aoff=2 * a, kind="'gold'", annotator=str(reviewer_id),
                                       src="bench_gold", key="id", col="id", where=""), [d])
        rows["gold"] = cur.rowcount
        for mult, src, key in ((1, "(SELECT a.id FROM annotation_annotation a JOIN bench_src "
                                   "ON bench_src.id = a.document_id WHERE a.kind = 'annotation')",
                                "id"),
                               (2, "bench_gold", "id")):
            cur.execute(f"INSERT INTO annotation_span (id, start, \"end\", annotation_id, "
                        f"label_id) SELECT x.id + %s, x.start, x.\"end\", x.annotation_id + %s, "
                        f"x.label_id FROM annotation_span x JOIN {src} src "
                        f"ON src.{key} = x.annotation_id", [mult * s, mult * a])
            rows["spans"] = rows.get("spans", 0) + cur.rowcount
            cur.execute(f"INSERT INTO annotation_relation (id, annotation_id, label_id, head_id, "
                        f"tail_id) SELECT x.id + %s, x.annotation_id + %s, x.label_id, "
                        f"x.head_id + %s, x.tail_id + %s FROM annotation_relation x "
                        f"JOIN {src} src ON src.{key} = x.annotation_id",
                        [mult * r, mult * a, mult * s, mult * s])
            rows["relations"] = rows.get("relations", 0) + cur.rowcount
            cur.execute(f"INSERT INTO annotation_sentimentchoice (id, annotation_id, label_id) "
                        f"SELECT x.id + %s, x.annotation_id + %s, x.label_id "
                        f"FROM annotation_sentimentchoice x JOIN {src} src "
                        f"ON src.{key} = x.annotation_id", [mult * c, mult * a])
            rows["sentiments"] = rows.get("sentiments", 0) + cur.rowcount
        cur.execute(
            "INSERT INTO annotation_assignment (id, status, created_at, expires_at, finished_at, "
            "annotator_id, project_id, document_id, skip_reason) SELECT x.id + %s, x.status, "
            "x.created_at, x.expires_at, x.finished_at, x.annotator_id, x.project_id, "
            "x.document_id + %s, x.skip_reason FROM annotation_assignment x "
            "JOIN bench_src ON bench_src.id = x.document_id", [g, d])
        rows["assignments"] = cur.rowcount
        for table in tables:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))")
    return rows


# ------------------------------------------------------------------------ load
