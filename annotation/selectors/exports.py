"""The native records of a project, streamed from the database for exports.

Documents are read in chunks by keyset (``id > last``, on the (project, status, id) index),
so no query holds a cursor or a transaction open for the length of a download; their
annotations, spans, relations and sentiment are read per chunk with a few set-based
queries, so memory stays constant whatever the project's size. The child rows are plain
integers, read on a plain cursor without the ORM's per-row work.
"""

import hashlib
import hmac
import json
import queue
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, connections
from django.db.models import QuerySet

from annotation.models import (
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Document,
    DocumentStatus,
    Relation,
    SentimentChoice,
    Span,
)
from annotation.pure.exports.jsonl import Gold
from annotation.selectors.identities import IMPORTED_NAME
from projects.models import Job, JobKind, JobStatus, Label, Project
from projects.selectors import live_progress

CHUNK = 2000
SCOPES = ("gold", "all")


def pseudonym(project: Project, username: str) -> str:
    """A stable stand-in for an annotator's name: the same in every export of the project,
    and not reversible without the server's secret."""
    key = f"{settings.SECRET_KEY}:{project.pk}".encode()
    return "annotator-" + hmac.new(key, username.encode(), hashlib.sha256).hexdigest()[:10]


def _rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list queryset of plain columns, fetched on a plain cursor."""
    query, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


SPANS = (f'SELECT annotation_id, id, start, "end", label_id FROM {Span._meta.db_table} '
         'WHERE annotation_id {ids} ORDER BY annotation_id, start, "end", id')
RELATIONS = (f"SELECT annotation_id, head_id, tail_id, label_id FROM {Relation._meta.db_table} "
             "WHERE annotation_id {ids} ORDER BY annotation_id, id")
SENTIMENT = (f"SELECT s.annotation_id, s.label_id FROM {SentimentChoice._meta.db_table} s "
             f"JOIN {Label._meta.db_table} l ON l.id = s.label_id WHERE s.annotation_id {{ids}} "
             'ORDER BY s.annotation_id, l."order", s.label_id')


def _of(statement: str, ids: list[int]) -> list[tuple]:
    """The rows of ``statement`` for the annotations ``ids``. PostgreSQL takes the ids as
    one array: a list of thousands of placeholders costs more to build than the query to
    run, and ``= ANY`` keeps the planner on the annotation_id index. Other databases get
    placeholders, in batches under their limit; rows stay grouped by annotation."""
    if not ids:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the literal: psycopg's list dumper is slower
            cursor.execute(statement.format(ids="= ANY(%s::bigint[])"),
                           ["{" + ",".join(map(str, ids)) + "}"])
            return cursor.fetchall()
        rows: list[tuple] = []
        step = min(connection.features.max_query_params or 999, 999)
        for at in range(0, len(ids), step):
            batch = ids[at:at + step]
            cursor.execute(statement.format(ids=f"IN ({', '.join(['%s'] * len(batch))})"),
                           batch)
            rows += cursor.fetchall()
        return rows


KEYS = tuple(f"T{n}" for n in range(1, 101))  # entity ids by position, made once


def _labelled(texts: dict[int, str], names: dict[int, str]) -> tuple[dict, dict, dict]:
    """The entities, relations and sentiment of the annotations ``texts`` (annotation id ->
    its document's text), by annotation, as the native record writes them: entities ``T1``,
    ``T2``… in order of offsets, each with its text; relations by those ids."""
    ids = list(texts)
    entities: dict[int, list] = defaultdict(list)
    key_of: dict[int, str] = {}
    for ann, span_id, start, end, label in _of(SPANS, ids):
        found = entities[ann]
        n = len(found)
        key = key_of[span_id] = KEYS[n] if n < len(KEYS) else f"T{n + 1}"
        found.append({"id": key, "start": start, "end": end, "label": names[label],
                      "text": texts[ann][start:end]})
    relations: dict[int, list] = defaultdict(list)
    for ann, head, tail, label in _of(RELATIONS, ids):
        relations[ann].append({"head": key_of[head], "tail": key_of[tail],
                               "label": names[label]})
    sentiment: dict[int, list] = defaultdict(list)
    for ann, label in _of(SENTIMENT, ids):
        sentiment[ann].append(names[label])
    return entities, relations, sentiment


@dataclass
class _Chunk:
    """A chunk of documents (sorted by id) and everything their records need."""

    docs: list[tuple]  # (id, external id, text, meta as JSON text)
    # document id -> (id, document id, kind, username, imported identity's name or None)
    annotations: dict[int, list[tuple]]
    entities: dict[int, list]  # annotation id -> entity dicts
    relations: dict[int, list]
    sentiment: dict[int, list]  # annotation id -> label names


def _chunks(project: Project, scope: str, names: dict[int, str]) -> Iterator[_Chunk]:
    """The documents in chunks, by keyset; each chunk's labellings are read by its id range,
    not by a list of document ids: a few joins, no thousands of parameters."""
    docs = project.documents.order_by("id")
    if scope == "gold":
        docs = docs.filter(status=DocumentStatus.REVIEWED)
    kinds = [AnnotationKind.GOLD] if scope == "gold" else list(AnnotationKind.values)
    last = 0
    while chunk := _rows(docs.filter(id__gt=last)
                         .values_list("id", "external_id", "text", "meta")[:CHUNK]):
        last = chunk[-1][0]
        annotations = (Annotation.objects
                       .filter(project=project, kind__in=kinds,
                               document_id__gte=chunk[0][0], document_id__lte=last)
                       .exclude(kind=AnnotationKind.ANNOTATION, status=AnnotationStatus.DRAFT))
        rows = _rows(annotations.order_by("document_id", "annotator__username", "id")
                     .values_list("id", "document_id", "kind", "annotator__username",
                                  IMPORTED_NAME))
        by_doc: dict[int, list] = defaultdict(list)
        for row in rows:
            by_doc[row[1]].append(row)
        text_of = {d[0]: d[2] for d in chunk}
        yield _Chunk(chunk, by_doc, *_labelled({r[0]: text_of[r[1]] for r in rows}, names))


def _records(project: Project, chunk: _Chunk, scope: str, pseudonymize: bool
             ) -> Iterator[dict[str, Any]]:
    multi = project.sentiment_multi_label
    entities, relations, sentiment = chunk.entities, chunk.relations, chunk.sentiment
    for pk, external_id, text, meta in chunk.docs:
        record: dict[str, Any] = {"id": external_id or str(pk), "text": text,
                                  "meta": json.loads(meta) if isinstance(meta, str) else meta}
        if scope == "all":
            record["annotations"] = []
        for ann, _doc, kind, username, imported in chunk.annotations.get(pk, ()):
            chosen = sentiment.get(ann, [])
            content = {"entities": entities.get(ann, []), "relations": relations.get(ann, []),
                       "sentiment": chosen if multi else (chosen[0] if chosen else None)}
            if kind == AnnotationKind.ANNOTATION:
                # An imported identity: the name of its file (it imports again as it came).
                who = (pseudonym(project, username) if pseudonymize
                       else imported if imported is not None else username)
                record["annotations"].append({"annotator": who, **content})
            else:
                record["gold" if kind == AnnotationKind.GOLD else "predictions"] = content
        yield record


def export_records(*, project: Project, scope: str = "gold",
                   pseudonymize: bool = False) -> Iterator[dict[str, Any]]:
    """Native records: `gold` gives the reviewed documents with their gold; `all` gives
    every document with every submitted annotation, the gold and the predictions.

    Outside a transaction the chunks are read ahead by a thread (its own connection), so
    the database answers for the next chunk while this one is written; inside one (a job's,
    a test's) another connection would not see its data, so they are read in turn."""
    names = dict(project.labels.values_list("id", "name"))
    chunks = _chunks(project, scope, names)
    for chunk in chunks if connection.in_atomic_block else read_ahead(chunks):
        yield from _records(project, chunk, scope, pseudonymize)


# a.document_id > last too: the join starts at the keyset, not the top. CAST, not ``::``:
# the meta as JSON text on PostgreSQL (jsonb) and SQLite (already text) alike.
GOLD_DOCUMENTS = (
    f"SELECT d.id, d.external_id, d.text, CAST(d.meta AS text), a.id "
    f"FROM {Document._meta.db_table} d "
    f"JOIN {Annotation._meta.db_table} a ON a.document_id = d.id "
    f"AND a.kind = '{AnnotationKind.GOLD}' AND a.project_id = d.project_id "
    f"WHERE d.project_id = %s AND d.status = '{DocumentStatus.REVIEWED}' AND d.id > %s "
    "AND a.document_id > %s ORDER BY d.id LIMIT %s")
_NONE: list = []  # shared, never changed: what a document without rows of a kind gets


def _fetch(statement: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _gold_chunks(project: Project, names: dict[int, str]) -> Iterator[list[Gold]]:
    """The reviewed documents with a gold, in chunks by keyset, as ``Gold`` tuples: four
    queries a chunk (the documents with their gold's id, then its spans, relations and
    sentiment), rows as plain tuples, no dict a record or an entity."""
    last = 0
    while docs := _fetch(GOLD_DOCUMENTS, [project.pk, last, last, CHUNK]):
        last = docs[-1][0]
        ids = [row[4] for row in docs]
        entities: dict[int, list] = defaultdict(list)
        position: dict[int, int] = {}  # span id -> its entity's position in its gold
        for ann, span, start, end, label in _of(SPANS, ids):
            found = entities[ann]
            found.append((start, end, names[label]))
            position[span] = len(found)
        relations: dict[int, list] = defaultdict(list)
        for ann, head, tail, label in _of(RELATIONS, ids):
            relations[ann].append((position[head], position[tail], names[label]))
        sentiment: dict[int, list] = defaultdict(list)
        for ann, label in _of(SENTIMENT, ids):
            sentiment[ann].append(names[label])
        yield [Gold(external_id or str(pk), text, meta, entities.get(ann, _NONE),
                    relations.get(ann, _NONE), sentiment.get(ann, _NONE))
               for pk, external_id, text, meta, ann in docs]


def export_gold(*, project: Project) -> Iterator[Gold]:
    """The reviewed documents with their gold as ``Gold`` tuples, for the ``jsonl`` writer's
    ``write_gold``: what ``export_records(scope="gold")`` gives, without the record dicts.
    Read ahead outside a transaction, as ``export_records``."""
    names = dict(project.labels.values_list("id", "name"))
    chunks = _gold_chunks(project, names)
    for chunk in chunks if connection.in_atomic_block else read_ahead(chunks):
        yield from chunk


T = TypeVar("T")
_DONE = object()


def read_ahead(source: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``source``'s items, produced by a thread up to ``depth`` ahead of the consumer. The
    thread's database connections are closed when it ends; closing this generator early (a
    client gone) stops the thread."""
    ready: queue.Queue[Any] = queue.Queue(depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=produce, name="export-read-ahead", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def building_exports(*, project: Project) -> list[Job]:
    """Export jobs still queued or running, with their live progress."""
    jobs = Job.objects.filter(project=project, kind=JobKind.EXPORT,
                              status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    return [live_progress(job) for job in jobs]
