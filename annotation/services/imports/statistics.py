"""Planner statistics after bulk loads (docs/imports.md, "After a large import").

PostgreSQL plans from the statistics that ANALYZE gathers; autovacuum gathers them some time
after a table changed, or never when it is off. Right after an import of 200,000 documents
the planner still believed the tables small: a JSONL export chose a nested loop that
removed 399.8M rows and sent nothing for 60 s; after ANALYZE it took 15.9 s. So a large
import analyzes the tables it filled itself, once it committed.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction

from annotation.models import (
    Annotation,
    Assignment,
    Document,
    Relation,
    SentimentChoice,
    Span,
    Suggestion,
)

logger = logging.getLogger(__name__)

LABELLING_TABLES: tuple[type[models.Model], ...] = (Annotation, Span, Relation, SentimentChoice,
                                                    Assignment, Suggestion)


def tables_analyze(*, tables: tuple[type[models.Model], ...]) -> bool:
    """ANALYZE the tables of `tables`, on PostgreSQL (elsewhere nothing: SQLite's planner
    needs no such help at Concord's sizes); whether it ran. A failure is logged, not raised:
    the data is stored, and autovacuum will get there too."""
    if connection.vendor != "postgresql" or not tables:
        return False
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    try:  # in a savepoint when a transaction is open: a failure must not break it
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {names}")
    except DatabaseError:
        logger.warning("ANALYZE %s failed", names, exc_info=True)
        return False
    return True


def import_analyze(*, documents: int, labellings: int) -> bool:
    """After an import that stored `documents` documents and `labellings` annotations, gold
    and predictions: ANALYZE what it filled when that is at least CONCORD_IMPORT_ANALYZE_ROWS
    rows (0: never). The documents table, and with labellings the annotation tables and the
    assignments (imported work holds its slots)."""
    threshold = settings.CONCORD_IMPORT_ANALYZE_ROWS
    if threshold <= 0 or documents + labellings < threshold:
        return False
    tables = ((Document,) if documents else ()) + (LABELLING_TABLES if labellings else ())
    return tables_analyze(tables=tables)
