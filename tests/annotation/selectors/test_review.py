"""The review queue: which documents, in which order, filtered, in keyset pages."""

import pytest
from django.utils import timezone

from annotation.models import AgreementReport, DocumentDisagreement, DocumentStatus
from annotation.selectors.review import QueueFilter, queue_next, review_queue
from annotation.services.annotations import annotation_write
from annotation.services.gold import gold_save
from projects import services
from tests.factories import AssignmentFactory, DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    people = {name: UserFactory(username=name) for name in ("ann", "bob", "cy")}
    for person in people.values():
        services.member_add(project=world.project, username=person.username, role="annotator")
    return people


def submit(world, user, document, content):
    AssignmentFactory(document=document, annotator=user)
    annotation_write(project=world.project, document_id=document.pk, user=user,
                     content=content, version=0, status="submitted", seconds_spent=1)


def annotated(world, team, n, meta=None, who=("ann", "bob"), label="positive"):
    """n documents, each submitted by two annotators (k=2): status annotated."""
    docs = []
    for i in range(n):
        doc = DocumentFactory(project=world.project, text=f"Doc {i}: Alice at Acme.",
                              meta=meta or {})
        for name in who:
            submit(world, team[name], doc, {"sentiment": label})
        docs.append(doc)
    return docs


def report(world, scores):
    rep = AgreementReport.objects.create(project=world.project, computed_at=timezone.now(),
                                         report={})
    DocumentDisagreement.objects.bulk_create(
        [DocumentDisagreement(report=rep, document=doc, score=s) for doc, s in scores])
    return rep


def ids(page):
    return [e.document.pk for e in page.entries]


def test_only_documents_with_k_submissions_and_no_gold(world, team):
    a, b = annotated(world, team, 2)
    DocumentFactory(project=world.project)  # new
    submit(world, team["ann"], world.document, {"sentiment": "positive"})  # 1 of 2
    gold_save(document=b, content={}, by=world.users["reviewer"], version=0)
    page = review_queue(project=world.project)
    assert ids(page) == [a.pk]
    assert page.entries[0].annotators == ["ann", "bob"]


def test_most_disagreement_first_then_unscored_by_id(world, team):
    a, b, c, d = annotated(world, team, 4)
    report(world, [(world.document, 0.3), (a, 0.2)])  # an old report is not used
    report(world, [(a, 0.1), (b, 0.9), (d, 0.5)])
    page = review_queue(project=world.project)
    assert ids(page) == [b.pk, d.pk, a.pk, c.pk]
    assert [e.score for e in page.entries] == [0.9, 0.5, 0.1, None]


def test_keyset_pages_walk_the_whole_queue_once(world, team):
    docs = annotated(world, team, 5)
    report(world, [(docs[0], 0.5), (docs[1], 0.5), (docs[2], 0.7)])
    expected = [docs[2].pk, docs[0].pk, docs[1].pk, docs[3].pk, docs[4].pk]
    seen, after = [], None
    for _ in range(10):
        page = review_queue(project=world.project, size=2, after=after)
        seen += ids(page)
        after = page.next_cursor
        if after is None:
            break
    assert seen == expected


def test_by_date_oldest_and_newest(world, team):
    docs = annotated(world, team, 3)
    report(world, [(docs[1], 0.9)])
    oldest = review_queue(project=world.project, sort="oldest", size=2)
    assert ids(oldest) == [docs[0].pk, docs[1].pk]
    assert oldest.entries[1].score == 0.9
    rest = review_queue(project=world.project, sort="oldest", size=2, after=oldest.next_cursor)
    assert ids(rest) == [docs[2].pk]
    assert rest.next_cursor is None
    assert ids(review_queue(project=world.project, sort="newest")) == [d.pk for d in docs][::-1]


def test_filters_by_label_annotator_and_meta(world, team):
    news = annotated(world, team, 2, meta={"source": "news", "year": 2020})
    blog = annotated(world, team, 1, meta={"source": "blog"}, who=("bob", "cy"),
                     label="negative")
    q = world.project

    def found(**where):
        return ids(review_queue(project=q, where=QueueFilter(**where)))

    assert found(label=world.labels["negative"]) == [blog[0].pk]
    assert found(label=world.labels["PER"]) == []
    assert found(annotator_id=team["ann"].pk) == [d.pk for d in news]
    assert found(annotator_id=team["cy"].pk) == [blog[0].pk]
    assert found(meta=("source", "blog")) == [blog[0].pk]
    assert found(meta=("year", "2020")) == [d.pk for d in news]  # numbers compare as text
    assert found(meta=("source", "news"), annotator_id=team["cy"].pk) == []


def test_entity_and_relation_labels_filter_too(world, team):
    plain = annotated(world, team, 1)[0]
    doc = DocumentFactory(project=world.project, text="Alice works at Acme.")
    linked = {"entities": [{"id": "a", "start": 0, "end": 5, "label": "PER"},
                           {"id": "b", "start": 15, "end": 19, "label": "ORG"}],
              "relations": [{"head": "a", "tail": "b", "label": "works_for"}]}
    submit(world, team["ann"], doc, linked)
    submit(world, team["bob"], doc, {})
    for label in ("PER", "works_for"):
        assert ids(review_queue(project=world.project,
                                where=QueueFilter(label=world.labels[label]))) == [doc.pk]
    assert plain.pk not in ids(review_queue(project=world.project,
                                            where=QueueFilter(label=world.labels["ORG"])))


def test_a_bad_cursor_is_the_first_page(world, team):
    docs = annotated(world, team, 2)
    for cursor in ("nonsense", "s:x:1", "u:", "i:1:2"):
        assert ids(review_queue(project=world.project, after=cursor)) == [d.pk for d in docs]


def test_next_skips_the_current_document(world, team):
    a, b = annotated(world, team, 2)
    report(world, [(a, 0.9), (b, 0.1)])
    assert queue_next(project=world.project) == a.pk
    assert queue_next(project=world.project, exclude=a.pk) == b.pk
    gold_save(document=b, content={}, by=world.users["reviewer"], version=0)
    assert queue_next(project=world.project, exclude=a.pk) is None
    assert b.pk not in ids(review_queue(project=world.project))
    b.refresh_from_db()
    assert b.status == DocumentStatus.REVIEWED


def test_a_page_costs_the_same_queries_however_long_the_queue(world, team,
                                                              django_assert_max_num_queries):
    docs = annotated(world, team, 12)
    report(world, [(d, i / 20) for i, d in enumerate(docs[:6])])
    # report, scored page, its documents, unscored rest, annotators
    with django_assert_max_num_queries(5):
        page = review_queue(project=world.project, size=8)
    assert len(page.entries) == 8
    with django_assert_max_num_queries(5):
        review_queue(project=world.project, size=8, after=page.next_cursor)
