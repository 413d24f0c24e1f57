from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from annotation.models import (
    AgreementReport,
    AnnotationKind,
    AnnotationStatus,
    Document,
    DocumentDisagreement,
)
from annotation.selectors.document_pages import BadCursor, search_page
from annotation.selectors.document_search import ORDERINGS, DocumentQuery, documents_search
from annotation.services.store import annotation_save
from tests.factories import AssignmentFactory, DocumentFactory

pytestmark = pytest.mark.django_db

ALICE = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"}], "relations": [],
         "sentiment": None}


def ids(project, **query):
    return [d.pk for d in documents_search(project=project, query=DocumentQuery(**query))]


@pytest.fixture
def corpus(world):
    """Six documents besides the world's: English, Chinese, Arabic, emoji, metadata."""
    p = world.project
    texts = ["Alice met Bob in Paris.", "北京大学的学生在上海", "مرحبا بالعالم في القاهرة",
             "Party time 🎉🎉 with 阿里巴巴", "100% of_cases [a-z]+ match", "Nothing here"]
    docs = [DocumentFactory(project=p, text=t, meta={"source": s, "year": y})
            for t, s, y in zip(texts, ["news", "web", "news", "chat", "web", "news"],
                               [2020, 2021, 2020, 2022, 2021, 2019], strict=True)]
    return world, [world.document, *docs]


def test_q_finds_substrings_in_any_script_and_any_case(corpus):
    world, docs = corpus
    p = world.project
    assert ids(p, q="alice") == [docs[0].pk, docs[1].pk]
    assert ids(p, q="大学") == [docs[2].pk]  # two characters: below a trigram
    assert ids(p, q="北京大学的") == [docs[2].pk]
    assert ids(p, q="阿里巴巴") == [docs[0].pk, docs[4].pk]
    assert ids(p, q="القاهرة") == [docs[3].pk]
    assert ids(p, q="🎉🎉") == [docs[4].pk]


def test_q_treats_like_and_regex_metacharacters_as_text(corpus):
    world, docs = corpus
    p = world.project
    assert ids(p, q="100%") == [docs[5].pk]
    assert ids(p, q="of_cases") == [docs[5].pk]
    assert ids(p, q="[a-z]+") == [docs[5].pk]
    assert ids(p, q="%") == [docs[5].pk]
    assert ids(p, q="_") == [docs[5].pk]
    assert ids(p, q="'; DROP TABLE x; --") == []
    assert ids(p, q=".*") == []


def test_q_of_three_characters_or_more_uses_the_trigram_index(world):
    if connection.vendor != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's")
    Document.objects.bulk_create(
        Document(project=world.project, text=f"{n:08x} 上海的新闻 {n * 7919 % 10007} " * 20,
                 content_hash=f"{n}") for n in range(3000))
    with connection.cursor() as cursor:  # the new rows out of GIN's pending list
        cursor.execute("SELECT gin_clean_pending_list('document_text_trgm')")
        cursor.execute("ANALYZE annotation_document")
    plan = documents_search(project=world.project, query=DocumentQuery(q="北京大学")).explain()
    assert "document_text_trgm" in plan
    short = documents_search(project=world.project, query=DocumentQuery(q="北京")).explain()
    assert "document_text_trgm" not in short  # two characters make no trigram


def test_meta_filters_compare_as_text_and_combine(corpus):
    world, docs = corpus
    p = world.project
    assert ids(p, meta=(("source", "news"),)) == [docs[1].pk, docs[3].pk, docs[6].pk]
    assert ids(p, meta=(("source", "news"), ("year", "2020"))) == [docs[1].pk, docs[3].pk]
    assert ids(p, meta=(("no such key", "x"),)) == []
    assert ids(p, meta=(("source'); --", "news"),)) == []
    assert ids(p, meta=(("source", "web"),), q="北京") == [docs[2].pk]


def test_label_annotator_and_own(corpus):
    world, docs = corpus
    p, annotator = world.project, world.users["annotator"]
    reviewer = world.users["reviewer"]
    annotation_save(document=docs[1], content=ALICE, annotator=annotator)
    annotation_save(document=docs[2], content={"entities": [], "relations": [],
                                               "sentiment": "positive"}, annotator=reviewer,
                    status=AnnotationStatus.SUBMITTED)
    annotation_save(document=docs[3], content={"entities": [{"id": "T1", "start": 0,
                                                             "end": 5, "label": "ORG"}],
                                               "relations": [], "sentiment": None},
                    annotator=None, kind=AnnotationKind.GOLD, status=AnnotationStatus.SUBMITTED)
    assert ids(p, label="PER") == [docs[1].pk]
    assert ids(p, label="positive") == [docs[2].pk]
    assert ids(p, label="ORG") == [docs[3].pk]  # gold counts
    assert ids(p, label="nope") == []
    assert ids(p, annotator=annotator.username) == [docs[1].pk]
    assert ids(p, annotator="nobody") == []
    assert ids(p, annotator=reviewer.username, label="PER") == []
    # an annotator's view: the documents handed to them, and their own labels only
    AssignmentFactory(document=docs[1], annotator=annotator)
    AssignmentFactory(document=docs[2], annotator=annotator)
    own = documents_search(project=p, query=DocumentQuery(), own=annotator)
    assert [d.pk for d in own] == [docs[1].pk, docs[2].pk]
    mine = documents_search(project=p, query=DocumentQuery(label="positive"), own=annotator)
    assert list(mine) == []  # the reviewer's label on docs[2] is not theirs


def test_agreement_below_reads_the_latest_report(corpus):
    world, docs = corpus
    p = world.project
    assert ids(p, agreement_lt=0.5) == []  # no report yet
    old = AgreementReport.objects.create(project=p, computed_at=timezone.now() - timedelta(1),
                                         report={})
    DocumentDisagreement.objects.create(report=old, document=docs[1], score=0.9)
    new = AgreementReport.objects.create(project=p, computed_at=timezone.now(), report={})
    DocumentDisagreement.objects.create(report=new, document=docs[2], score=0.8)  # agree 0.2
    DocumentDisagreement.objects.create(report=new, document=docs[3], score=0.5)  # agree 0.5
    assert ids(p, agreement_lt=0.5) == [docs[2].pk]
    assert ids(p, agreement_lt=0.51) == [docs[2].pk, docs[3].pk]
    assert ids(p, agreement_lt=0) == []
    own = documents_search(project=p, query=DocumentQuery(agreement_lt=0.9),
                           own=world.users["annotator"])
    assert list(own) == []


def test_flags_status_and_skips(corpus):
    world, docs = corpus
    p = world.project
    Document.objects.filter(pk=docs[1].pk).update(pii={"EMAIL": [[0, 3]]}, is_gold_check=True)
    Document.objects.filter(pk__in=[docs[2].pk, docs[3].pk]).update(
        near_duplicate_group=docs[2].pk)
    Document.objects.filter(pk=docs[4].pk).update(near_duplicate_group=docs[4].pk,
                                                  status="annotated")
    AssignmentFactory(document=docs[5], status="skipped")
    everything = [d.pk for d in docs]
    assert ids(p, pii=True) == [docs[1].pk]
    assert ids(p, pii=False) == [pk for pk in everything if pk != docs[1].pk]
    assert ids(p, gold_check=True) == [docs[1].pk]
    assert ids(p, near_duplicate=True) == [docs[2].pk, docs[3].pk, docs[4].pk]
    assert ids(p, near_duplicate=docs[2].pk) == [docs[2].pk, docs[3].pk]
    assert ids(p, near_duplicate=False) == [docs[0].pk, docs[1].pk, docs[5].pk, docs[6].pk]
    assert ids(p, status="annotated") == [docs[4].pk]
    assert ids(p, skipped=True) == [docs[5].pk]
    assert ids(p, skipped=True, pii=True) == []
    assert ids(p) == everything


def test_another_projects_documents_never_match(corpus):
    world, docs = corpus
    DocumentFactory(text="Alice elsewhere")
    assert ids(world.project, q="Alice") == [docs[0].pk, docs[1].pk]


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_keyset_pages_walk_every_ordering_forward_and_back(world, ordering):
    p = world.project
    base = timezone.now()
    for n in range(23):  # ties in every column but id
        doc = DocumentFactory(project=p, external_id=f"e{n % 5}-{n}" if n % 3 else "",
                              status=["new", "annotated", "reviewed"][n % 3])
        Document.objects.filter(pk=doc.pk).update(created_at=base + timedelta(seconds=n % 4))
    query = DocumentQuery(ordering=ordering)
    docs = documents_search(project=p, query=query)
    expected = [d.pk for d in docs]
    assert len(expected) == 24
    column = ordering.lstrip("-")
    values = [getattr(d, column) for d in docs]
    assert values == sorted(values, reverse=ordering.startswith("-"))
    pages, after = [], None
    while True:
        page = search_page(docs=docs, ordering=ordering, size=5, after=after)
        pages.append(page)
        if page.next_after is None:
            break
        after = page.next_after
    assert [d.pk for page in pages for d in page.documents] == expected
    assert [len(page.documents) for page in pages] == [5, 5, 5, 5, 4]
    back = search_page(docs=docs, ordering=ordering, size=5, before=pages[-1].prev_before)
    assert [d.pk for d in back.documents] == [d.pk for d in pages[-2].documents]
    first = search_page(docs=docs, ordering=ordering, size=5, before=pages[1].prev_before)
    assert [d.pk for d in first.documents] == expected[:5]
    assert first.prev_before is None


@pytest.mark.parametrize("token", ["abc", "-1", "9" * 30, "W10", "WyJ4Il0", "eyJhIjoxfQ",
                                   "WzEsMl0", "WyJ4IiwidHJ1ZSJd"])
@pytest.mark.parametrize("ordering", ["id", "status", "created_at"])
def test_a_forged_cursor_is_a_400_naming_it(world, token, ordering):
    docs = documents_search(project=world.project, query=DocumentQuery(ordering=ordering))
    if ordering == "id" and token.isdigit() and len(token) <= 19:
        return
    with pytest.raises(BadCursor) as caught:
        search_page(docs=docs, ordering=ordering, size=5, after=token)
    assert caught.value.errors == [{"field": "after", "message": "not a cursor of this list"}]


def test_empty_project_gives_an_empty_page(world):
    Document.objects.filter(project=world.project).delete()
    docs = documents_search(project=world.project, query=DocumentQuery(q="x", ordering="-status"))
    page = search_page(docs=docs, ordering="-status", size=10)
    assert (list(page.documents), page.next_after, page.prev_before) == ([], None, None)
