"""Text search pages in windows (annotation.selectors.document_pages), on PostgreSQL."""

import pytest
from django.db import connection

from annotation.selectors import document_pages
from annotation.selectors.document_pages import _within, text_page
from annotation.selectors.document_search import DocumentQuery, documents_search
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the windows are PostgreSQL's")


@pytest.fixture
def corpus(world, postgres):
    """40 documents; "needle" in 7 of them, spread unevenly (ids in order)."""
    world.document.delete()
    docs = [DocumentFactory(project=world.project,
                            text=f"doc {i} " + ("a Needle here" if i in NEEDLES else "hay"))
            for i in range(40)]
    return world, [d.pk for i, d in enumerate(docs) if i in NEEDLES]


NEEDLES = {1, 2, 17, 18, 19, 33, 39}


def walk(world, size, ordering="id", q="needle"):
    docs = documents_search(project=world.project, query=DocumentQuery(ordering=ordering))
    found, after, pages = [], None, []
    while True:
        page = text_page(docs=docs, q=q, ordering=ordering, size=size, after=after)
        pages.append(page)
        found += [d.pk for d in page.documents]
        if page.next_after is None:
            return found, pages
        after = page.next_after


@pytest.mark.parametrize("window", [3, 10, 100])
@pytest.mark.parametrize("ordering", ["id", "-id", "status"])
def test_windows_then_the_index_find_every_match_once_in_order(corpus, monkeypatch, window,
                                                               ordering):
    world, needles = corpus
    monkeypatch.setattr(document_pages, "TEXT_WINDOW", window)
    found, pages = walk(world, size=2, ordering=ordering)
    expected = sorted(needles, reverse=ordering == "-id")
    assert found == expected
    assert not any(page.partial for page in pages)


def test_a_search_past_its_time_gives_what_the_windows_found_and_goes_on(corpus, monkeypatch):
    world, needles = corpus
    monkeypatch.setattr(document_pages, "TEXT_WINDOW", 5)
    monkeypatch.setattr(document_pages, "_within", lambda ms, run: None)  # always too slow
    found, pages = walk(world, size=3)
    assert found == needles  # window by window, nothing lost, nothing twice
    assert any(page.partial for page in pages)
    assert all(len(page.documents) <= 3 for page in pages)


def test_within_cancels_a_statement_past_its_time(postgres):
    def slow():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(2)")
        return "done"

    assert _within(50, slow) is None
    assert _within(5000, lambda: "quick") == "quick"
    with connection.cursor() as cursor:  # the connection is usable afterwards
        cursor.execute("SELECT 1")



def test_a_term_too_short_for_a_trigram_goes_window_by_window(corpus, monkeypatch):
    world, needles = corpus
    monkeypatch.setattr(document_pages, "TEXT_WINDOW", 6)
    found, pages = walk(world, size=3, q="ed")  # in "Needle" only
    assert found == needles
    assert any(page.partial for page in pages)


def test_windows_measured_over_a_cheaper_frame_find_the_same(corpus, monkeypatch):
    world, needles = corpus
    monkeypatch.setattr(document_pages, "TEXT_WINDOW", 4)
    from annotation.models import Document

    Document.objects.filter(pk__in=needles[::2]).update(meta={"keep": "yes"})
    kept = needles[::2]
    docs = documents_search(project=world.project, query=DocumentQuery(
        meta=(("keep", "yes"),)))
    frame = documents_search(project=world.project, query=DocumentQuery())
    found, after = [], None
    while True:
        page = text_page(docs=docs, q="needle", ordering="id", size=1, after=after,
                         frame=frame)
        found += [d.pk for d in page.documents]
        if page.next_after is None:
            break
        after = page.next_after
    assert found == kept
