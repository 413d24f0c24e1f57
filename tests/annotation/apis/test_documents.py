"""GET …/documents/ as the document manager's API: filters, sorting, keyset links, who sees
what, and bad input."""

import pytest
from django.urls import reverse

from annotation.models import Document
from tests.conftest import api_client_for
from tests.factories import AssignmentFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def listed(world, who="manager", **params):
    client = api_client_for(world.users[who])
    url = reverse("api:documents", kwargs={"project_id": world.project.pk})
    return client.get(url, params)


def ids(answer):
    assert answer.status_code == 200, answer.json()
    return [row["id"] for row in answer.json()["results"]]


@pytest.fixture
def corpus(world):
    texts = ["北京大学的学生", "Bob in Paris", "مرحبا بالعالم", "Emoji 🎉 party"]
    made = [DocumentFactory(project=world.project, text=t, meta={"lang": lang})
            for t, lang in zip(texts, ["zh", "en", "ar", "en"], strict=True)]
    return [world.document, *made]


def test_filters_combine_through_the_query_string(world, corpus):
    assert ids(listed(world, q="大学")) == [corpus[1].pk]
    assert ids(listed(world, **{"meta.lang": "en"})) == [corpus[2].pk, corpus[4].pk]
    assert ids(listed(world, **{"meta.lang": "en", "q": "🎉"})) == [corpus[4].pk]
    assert ids(listed(world, q="مرحبا", status="new")) == [corpus[3].pk]
    assert ids(listed(world, q="nothing like this")) == []


def test_sorting_and_keyset_links_keep_the_filters(world, corpus):
    Document.objects.filter(pk=corpus[2].pk).update(status="annotated")
    first = listed(world, ordering="-status", page_size=2).json()
    assert [row["id"] for row in first["results"]] == [corpus[4].pk, corpus[3].pk]
    assert first["previous"] is None
    second = api_client_for(world.users["manager"]).get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [corpus[1].pk, corpus[0].pk]
    assert "ordering=-status" in first["next"]
    third = api_client_for(world.users["manager"]).get(second["next"]).json()
    assert [row["id"] for row in third["results"]] == [corpus[2].pk]
    assert third["next"] is None
    back = api_client_for(world.users["manager"]).get(third["previous"]).json()
    assert [row["id"] for row in back["results"]] == [corpus[1].pk, corpus[0].pk]


def test_annotators_see_only_the_documents_handed_to_them(world, corpus):
    annotator = world.users["annotator"]
    AssignmentFactory(document=corpus[2], annotator=annotator)
    assert ids(listed(world, "annotator")) == [corpus[2].pk]
    assert ids(listed(world, "annotator", q="Paris")) == [corpus[2].pk]
    assert ids(listed(world, "annotator", q="大学")) == []
    detail = api_client_for(annotator)
    url = reverse("api:document", kwargs={"project_id": world.project.pk,
                                          "document_id": corpus[2].pk})
    assert detail.get(url).status_code == 200
    other = reverse("api:document", kwargs={"project_id": world.project.pk,
                                            "document_id": corpus[1].pk})
    assert detail.get(other).status_code == 403  # not theirs, as the workbench answers
    assert len(ids(listed(world, "consumer"))) == 5  # consumers browse every document
    assert listed(world, "outsider").status_code == 404


@pytest.mark.parametrize("params", [
    {"q": "x" * 201}, {"agreement_lt": "2"}, {"agreement_lt": "abc"}, {"ordering": "text"},
    {"near_duplicate": "maybe"}, {"near_duplicate": "-3"}, {"near_duplicate": "9" * 19},
    {"after": "not-a-cursor"},
    {"ordering": "status", "after": "12"}, {"meta.": "x"},
    {f"meta.k{n}": "v" for n in range(6)}, {"pii": "perhaps"},
])
def test_bad_parameters_are_a_400_naming_the_field(world, params):
    answer = listed(world, **params)
    assert answer.status_code == 400, answer.content
    fields = {error["field"] for error in answer.json()["errors"]}
    named = {key if not key.startswith("meta.") else "meta" for key in params}
    assert fields & (named | {f"meta.{k[5:]}" for k in params if k.startswith("meta.")}), \
        (fields, params)


@pytest.mark.parametrize("q", ["%", "_", "\\", "'; SELECT 1; --", ".*", "[", "(?:", "\x00"])
def test_metacharacters_search_as_text(world, q):
    answer = listed(world, q=q)
    assert answer.status_code in (200, 400)
    if answer.status_code == 200:
        assert all(q in Document.objects.get(pk=pk).text for pk in ids(answer))


def test_an_annotators_list_tells_nothing_of_others_work(world, corpus):
    annotator = world.users["annotator"]
    AssignmentFactory(document=corpus[1], annotator=annotator, status="submitted")
    AssignmentFactory(document=corpus[2], annotator=annotator)
    Document.objects.filter(pk=corpus[1].pk).update(status="reviewed", is_gold_check=True)
    rows = listed(world, "annotator").json()["results"]
    assert [(r["id"], r["my_status"]) for r in rows] == [(corpus[1].pk, "submitted"),
                                                         (corpus[2].pk, "active")]
    assert all("status" not in r and "skips" not in r for r in rows)
    # the filters that would tell of gold, checks, agreement or others are left out
    for params in ({"status": "reviewed"}, {"gold_check": "true"}, {"gold_check": "false"},
                   {"annotator": "reviewer-user"}, {"agreement_lt": "0.5"},
                   {"ordering": "-status"}):
        assert ids(listed(world, "annotator", **params)) == [corpus[1].pk, corpus[2].pk], params
    assert ids(listed(world, "annotator", skipped="true")) == []
