"""Keyset pages of the document list (DESIGN.md: `after`/`before`): a cursor names the last
row of a page, so a page costs the same however deep it is. A cursor is the row's id when
the list is sorted by id, else an opaque token of (sort value, id).

A text search (`q`) is paged in windows on PostgreSQL: the next TEXT_WINDOW documents in the
list's order are searched first, which finds a common term's page at once whatever the
planner estimates (its statistics leave long texts out); when they do not fill the page,
the whole list is searched with the trigram index, within TEXT_TIMEOUT_MS; past that (or at
once for a term too short for a trigram), the page holds what the window found and its
`next` cursor goes on after it (`partial`). A window is read along an index in the list's
order, with the planner's bitmap and sequential scans off: a common term then fills its page
in the window's first rows.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import OperationalError, connection, transaction
from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThan,
    TupleGreaterThanOrEqual,
    TupleLessThan,
    TupleLessThanOrEqual,
)

from annotation.models import Document
from annotation.selectors.document_search import DocumentQuery, documents_visible
from annotation.selectors.documents import documents_listed
from projects.errors import ServiceError
from projects.permissions import Access

TEXT_WINDOW = 20_000  # documents searched in list order before the index is tried
TEXT_TIMEOUT_MS = 1_000  # for the whole-list search; past it, the windows' results
TRIGRAM = 3  # characters: a shorter term has no trigram, so no index can find it


class BadCursor(ServiceError):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name}: not a cursor of this list (follow the page's links)",
                         [{"field": name, "message": "not a cursor of this list"}])


def cursor_of(document: Document, ordering: str) -> str:
    column = ordering.lstrip("-")
    if column == "id":
        return str(document.pk)
    value = getattr(document, column)
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, document.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor_value(token: str, ordering: str, name: str) -> tuple[Any, int]:
    column = ordering.lstrip("-")
    if column == "id":
        if not token.isdigit() or len(token) > 19:
            raise BadCursor(name)
        return None, int(token)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, pk = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor(name) from exc
    if not isinstance(pk, int) or not isinstance(value, str) or isinstance(pk, bool):
        raise BadCursor(name)
    if column == "created_at":
        try:
            return datetime.fromisoformat(value), pk
        except ValueError as exc:
            raise BadCursor(name) from exc
    return value, pk


def _beyond(docs: QuerySet[Document], ordering: str, value: Any, pk: int,
            forward: bool) -> QuerySet[Document]:
    """The rows after (forward) or before the cursor row in `ordering`, as one row-value
    comparison, which PostgreSQL answers from an index on (project, column, id). (Django's
    tuple lookups: they name the columns as the query aliases them, in a subquery too.)"""
    column = ordering.lstrip("-")
    greater = (not ordering.startswith("-")) == forward
    if column == "id":
        return docs.filter(id__gt=pk) if greater else docs.filter(id__lt=pk)
    compare = TupleGreaterThan if greater else TupleLessThan
    return docs.filter(compare(Tuple(F(column), F("id")), (value, pk)))


@dataclass(frozen=True)
class SearchPage:
    documents: Sequence[Document]
    next_after: str | None
    prev_before: str | None
    partial: bool = False  # a text search that went on for long: `next_after` goes on


def search_page(*, docs: QuerySet[Document], ordering: str, size: int,
                after: str | None = None, before: str | None = None) -> SearchPage:
    """A keyset page of `docs` (already in `ordering`): the first, or the one after the
    cursor `after`, or the one before `before`; no COUNT and no OFFSET."""
    if before:
        value, pk = _cursor_value(before, ordering, "before")
        rows = list(_beyond(docs, ordering, value, pk, forward=False)
                    .reverse()[:size + 1])
        more, rows = len(rows) > size, rows[:size][::-1]
        return SearchPage(rows, cursor_of(rows[-1], ordering) if rows else None,
                          cursor_of(rows[0], ordering) if rows and more else None)
    if after:
        value, pk = _cursor_value(after, ordering, "after")
        docs = _beyond(docs, ordering, value, pk, forward=True)
    rows = list(docs[:size + 1])
    more, rows = len(rows) > size, rows[:size]
    return SearchPage(rows, cursor_of(rows[-1], ordering) if rows and more else None,
                      cursor_of(rows[0], ordering) if rows and after else None)


def text_page(*, docs: QuerySet[Document], q: str, ordering: str, size: int,
              after: str | None = None, before: str | None = None,
              listed: Callable[[QuerySet[Document]], QuerySet[Document]] = lambda d: d,
              frame: QuerySet[Document] | None = None) -> "SearchPage":
    """The page of `docs` (the list without its text search, in `ordering`) whose text
    contains `q`: window by window first, then the whole list (the module's docstring).
    `frame`: a cheaper list holding `docs` (without the filters that cost a subquery a row,
    such as a label's), over which the windows are measured; `docs` itself by default."""
    matching = listed(docs.filter(text__icontains=q))
    if before or connection.vendor != "postgresql":
        return search_page(docs=matching, ordering=ordering, size=size, after=after,
                           before=before)
    frame = docs if frame is None else frame
    if after:
        value, pk = _cursor_value(after, ordering, "after")
        docs = _beyond(docs, ordering, value, pk, forward=True)
        frame = _beyond(frame, ordering, value, pk, forward=True)
        matching = _beyond(matching, ordering, value, pk, forward=True)
    column = ordering.lstrip("-")
    last = next(iter(frame.only("pk", column)[TEXT_WINDOW - 1:TEXT_WINDOW]), None)
    window = matching if last is None else _upto(matching, ordering, last)
    rows = _in_order(lambda: list(window[:size + 1]))
    if len(rows) > size:
        return SearchPage(rows[:size], cursor_of(rows[size - 1], ordering),
                          cursor_of(rows[0], ordering) if after else None)
    if last is None:  # the window held the rest of the list: this is the last page
        return SearchPage(rows, None, cursor_of(rows[0], ordering) if rows and after else None)
    whole = None if len(q) < TRIGRAM else _within(TEXT_TIMEOUT_MS, lambda: search_page(
        docs=listed(docs.filter(text__icontains=q)), ordering=ordering, size=size))
    if whole is not None:
        return SearchPage(whole.documents, whole.next_after,
                          cursor_of(whole.documents[0], ordering)
                          if whole.documents and after else None)
    return SearchPage(rows, cursor_of(last, ordering),
                      cursor_of(rows[0], ordering) if rows and after else None, partial=True)


def _upto(docs: QuerySet[Document], ordering: str, last: Document) -> QuerySet[Document]:
    """The rows up to `last` (with it) in `ordering`."""
    column = ordering.lstrip("-")
    ascending = not ordering.startswith("-")
    if column == "id":
        return docs.filter(id__lte=last.pk) if ascending else docs.filter(id__gte=last.pk)
    compare = TupleLessThanOrEqual if ascending else TupleGreaterThanOrEqual
    return docs.filter(compare(Tuple(F(column), F("id")), (getattr(last, column), last.pk)))


def _in_order(run: Callable[[], list[Document]]) -> list[Document]:
    """`run`, with the planner walking an index in the list's order (a window is at most
    TEXT_WINDOW rows of it, and a common term fills a page in its first rows; a bitmap of
    the trigram index, which the planner may choose on its misjudged estimates, would read
    every match in the table first)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
        return run()


def _within(ms: int, run: Callable[[], "SearchPage"]) -> "SearchPage | None":
    """`run`'s page, or None when its statement runs past `ms` milliseconds."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {int(ms)}")
            return run()
    except OperationalError as exc:
        if "statement timeout" not in str(exc) and "canceling statement" not in str(exc):
            raise
        return None


def documents_page(*, access: Access, user: User, query: DocumentQuery, size: int,
                   after: str | None = None, before: str | None = None) -> SearchPage:
    """A page of the document list as the requester may see it (`documents_visible`), each
    row with the beginning of its text (`documents_listed`)."""
    if not query.q:
        docs = documents_visible(access=access, user=user, query=query)
        return search_page(docs=documents_listed(documents=docs), ordering=query.ordering,
                           size=size, after=after, before=before)
    docs = documents_visible(access=access, user=user, query=replace(query, q=""))
    frame = documents_visible(access=access, user=user, query=DocumentQuery(
        status=query.status, ordering=query.ordering))
    return text_page(docs=docs, q=query.q, ordering=query.ordering, size=size, after=after,
                     before=before, listed=lambda d: documents_listed(documents=d),
                     frame=frame)
