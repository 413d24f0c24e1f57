"""The documents of a project as the database holds them, streamed for every export.

Documents are read in chunks by keyset (``id > last``, on the (project, status, id) index),
so no query holds a cursor or a transaction open for the length of a download; their
annotations, spans, relations and sentiment are read per chunk with a few set-based
queries, so memory stays constant whatever the project's size. The child rows are plain
integers, read on a plain cursor without the ORM's per-row work. Scope ``all`` reads the
chunk's suggestions (the native ``predictions``) the same way: one query a chunk.
"""

import hashlib
import hmac
import queue
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, connections
from django.db.models import QuerySet

from annotation.models import (
    Agent,
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Document,
    DocumentStatus,
    Relation,
    SentimentChoice,
    Span,
    Suggestion,
    SuggestionKind,
)
from annotation.pure.exports.stored import GOLD, Labelling, Predicted, Stored
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


def _labellings(ids: list[int], names: dict[int, str]) -> tuple[dict, dict, dict]:
    """The entities, relations and sentiment of the annotations ``ids``, by annotation, as
    plain tuples: entities in order of offsets, relations by entity position from 1."""
    entities: dict[int, list] = defaultdict(list)
    position: dict[int, int] = {}  # span id -> its entity's position in its annotation
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
    return entities, relations, sentiment


# CAST, not ``::``: the meta as JSON text on PostgreSQL (jsonb) and SQLite (already text).
# Scope gold: each document with its gold's id (a.document_id > last too: the join starts at
# the keyset, not the top); scope all: the annotations are read by the chunk's id range.
DOCUMENTS = (f"SELECT d.id, d.external_id, d.text, CAST(d.meta AS text), {{gold}} "
             f"FROM {Document._meta.db_table} d{{join}} WHERE d.project_id = %s{{status}} "
             "AND d.id > %s ORDER BY d.id LIMIT %s")
GOLD_JOIN = (f" LEFT JOIN {Annotation._meta.db_table} a ON a.document_id = d.id "
             f"AND a.kind = '{AnnotationKind.GOLD}' AND a.project_id = d.project_id "
             "AND a.document_id > %s")
_NONE: list = []  # shared, never changed: what a document without rows of a kind gets


def _fetch(statement: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


class _Namer:
    """Annotators as the export names them: pseudonyms, or an imported identity by the
    name of its file (it imports again as it came), or the username."""

    def __init__(self, project: Project, pseudonymize: bool) -> None:
        self.project, self.pseudonymize = project, pseudonymize
        self.known: dict[tuple[str, str | None], str] = {}

    def __call__(self, username: str, imported: str | None) -> str:
        key = (username, imported)
        if key not in self.known:
            self.known[key] = (pseudonym(self.project, username) if self.pseudonymize
                               else imported if imported is not None else username)
        return self.known[key]


def _with_gold(docs: list[tuple], names: dict[int, str]) -> list[Stored]:
    """Documents read with their gold's id (or None), with the gold."""
    golds = [row[4] for row in docs if row[4] is not None]
    entities, relations, sentiment = _labellings(golds, names)
    return [Stored(external_id or str(pk), text, meta, _NONE if ann is None else [
        Labelling(GOLD, None, entities.get(ann, _NONE), relations.get(ann, _NONE),
                  sentiment.get(ann, _NONE))]) for pk, external_id, text, meta, ann in docs]


SUGGESTIONS = (f'SELECT s.document_id, s.kind, s.start, s."end", s.tail_start, s.tail_end, '
               f"s.label_id, g.name, s.model_version, s.score "
               f"FROM {Suggestion._meta.db_table} s "
               f"JOIN {Agent._meta.db_table} g ON g.id = s.agent_id "
               "WHERE s.project_id = %s AND s.document_id >= %s AND s.document_id <= %s "
               'ORDER BY s.document_id, s.kind, s.start, s."end", g.name, s.id')


def _suggestions(project: Project, docs: list[tuple], names: dict[int, str]
                 ) -> dict[int, Predicted]:
    """The suggestions of the documents of a chunk (by its id range), by document. A
    relation's ends are the entity suggestions at their offsets (of its agent when it has
    one there); a relation with an end no entity suggestion covers is left out (the native
    record names relations by entity ids; importing makes an entity of every end)."""
    found: dict[int, Predicted] = {}
    at: dict[tuple[int, int], list[tuple[int, str]]] = {}  # offsets -> (position, agent)
    for doc, kind, start, end, t_start, t_end, label, agent, version, score in _fetch(
            SUGGESTIONS, [project.pk, docs[0][0], docs[-1][0]]):
        predicted = found.get(doc)
        if predicted is None:
            predicted = found[doc] = Predicted([], [], [])
            at = {}
        if kind == SuggestionKind.ENTITY:
            predicted.entities.append((start, end, names[label], agent, version, score))
            at.setdefault((start, end), []).append((len(predicted.entities), agent))
        elif kind == SuggestionKind.RELATION:
            head, tail = at.get((start, end)), at.get((t_start, t_end))
            if head and tail:
                predicted.relations.append((_end(head, agent), _end(tail, agent),
                                            names[label], agent, version, score))
        else:
            predicted.sentiment.append((names[label], agent, version, score))
    return found


def _end(there: list[tuple[int, str]], agent: str) -> int:
    """The position of the entity at a relation's end: the relation's agent's, or the first."""
    for position, who in there:
        if who == agent:
            return position
    return there[0][0]


def _with_all(project: Project, docs: list[tuple], names: dict[int, str], name: _Namer
              ) -> list[Stored]:
    """Documents with every labelling but drafts, by annotator's username, then id, and
    their suggestions."""
    annotations = (Annotation.objects
                   .filter(project=project,
                           kind__in=(AnnotationKind.ANNOTATION, AnnotationKind.GOLD),
                           document_id__gte=docs[0][0], document_id__lte=docs[-1][0])
                   .exclude(kind=AnnotationKind.ANNOTATION, status=AnnotationStatus.DRAFT))
    rows = _rows(annotations.order_by("document_id", "annotator__username", "id")
                 .values_list("id", "document_id", "kind", "annotator__username",
                              IMPORTED_NAME))
    entities, relations, sentiment = _labellings([row[0] for row in rows], names)
    by_doc: dict[int, list] = defaultdict(list)
    for ann, doc, kind, username, imported in rows:
        who = name(username, imported) if kind == AnnotationKind.ANNOTATION else None
        by_doc[doc].append(Labelling(kind, who, entities.get(ann, _NONE),
                                     relations.get(ann, _NONE), sentiment.get(ann, _NONE)))
    predicted = _suggestions(project, docs, names)
    return [Stored(external_id or str(pk), text, meta, by_doc.get(pk, _NONE), predicted.get(pk))
            for pk, external_id, text, meta, _gold in docs]


def _chunks(project: Project, scope: str, pseudonymize: bool,
            subset: QuerySet[Document] | None = None) -> Iterator[list[Stored]]:
    """The documents in chunks, by keyset (``id > last``); each chunk's labellings are read
    by its id range, not by a list of document ids: a few queries, no thousands of
    parameters, rows as plain tuples. `subset`: only the documents it holds (one query per
    chunk, by the chunk's id range)."""
    names = dict(project.labels.values_list("id", "name"))
    name = _Namer(project, pseudonymize)
    gold = scope == "gold"
    documents = DOCUMENTS.format(gold="a.id" if gold else "NULL", join=GOLD_JOIN if gold else "",
                                 status=f" AND d.status = '{DocumentStatus.REVIEWED}'"
                                 if gold else "")
    last = 0
    while docs := _fetch(documents, [*([last] if gold else []), project.pk, last, CHUNK]):
        last = docs[-1][0]
        if subset is not None:
            keep = set(subset.filter(id__gte=docs[0][0], id__lte=last)
                       .values_list("id", flat=True).order_by())
            docs = [doc for doc in docs if doc[0] in keep]
            if not docs:
                continue
        yield _with_gold(docs, names) if gold else _with_all(project, docs, names, name)


def export_documents(*, project: Project, scope: str = "gold", pseudonymize: bool = False,
                     subset: QuerySet[Document] | None = None) -> Iterator[Stored]:
    """The documents to export, as the database holds them, for every format: ``gold``
    gives the reviewed documents with their gold; ``all`` every document with every
    submitted annotation, the gold and the predictions; with `subset`, only its documents.

    Outside a transaction the chunks are read ahead by a thread (its own connection), so
    the database answers for the next chunk while this one is written; inside one (a job's,
    a test's) another connection would not see its data, so they are read in turn."""
    chunks = _chunks(project, scope, pseudonymize, subset)
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
