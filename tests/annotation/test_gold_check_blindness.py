"""Annotators cannot tell a gold check from an ordinary document: the next answer, their
annotation's answers and the workbench page look the same, gold is nowhere, and the
scores are not shown to them."""

import re

import pytest
from django.urls import reverse

from annotation.models import Document
from annotation.services.gold import gold_save
from annotation.services.gold_checks import gold_checks_mark
from tests.conftest import api_client_for, page_client_for
from tests.factories import AssignmentFactory, DocumentFactory

pytestmark = pytest.mark.django_db
TEXT = "Bob left Acme in May."
GOLD = {"entities": [{"id": "T1", "start": 0, "end": 3, "label": "PER"},
                     {"id": "T2", "start": 9, "end": 13, "label": "ORG"}],
        "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
        "sentiment": "negative"}
ANSWER = {"entities": [{"id": "T1", "start": 0, "end": 3, "label": "PER"}], "relations": [],
          "sentiment": "positive"}


def shape(value):
    """The structure of a JSON value: keys and types, not the values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


@pytest.fixture
def pair(world) -> tuple[Document, Document]:
    """A check and an ordinary document with the same text."""
    check = DocumentFactory(project=world.project, text=TEXT)
    gold_save(document=check, content=GOLD, by=world.users["reviewer"], version=0)
    gold_checks_mark(project=world.project, document_ids=[check.pk])
    plain = DocumentFactory(project=world.project, text=TEXT)
    world.document.delete()  # only these two
    return check, plain


def _next(world, rate: float) -> dict:
    world.project.gold_check_rate = rate
    world.project.save(update_fields=["gold_check_rate"])
    client = api_client_for(world.users["annotator"])
    response = client.get(reverse("api:next", kwargs={"project_id": world.project.pk}))
    assert response.status_code == 200
    data = response.json()
    skip = reverse("api:skip", kwargs={"project_id": world.project.pk,
                                       "document_id": data["document"]["id"]})
    assert client.post(skip).status_code == 204
    return data


def test_the_next_answer_of_a_check_looks_like_any_other(world, pair):
    check, plain = pair
    got_check = _next(world, 1.0)  # every turn a check turn: the check comes first
    got_plain = _next(world, 0.0)
    assert (got_check["document"]["id"], got_plain["document"]["id"]) == (check.pk, plain.pk)
    assert shape(got_check) == shape(got_plain)
    assert got_check["document"]["status"] == got_plain["document"]["status"] == "new"
    assert got_check["annotation"] == got_plain["annotation"]
    assert got_check["predictions"] == got_plain["predictions"] is None
    for data in (got_check, got_plain):
        assert "gold" not in str(data).lower()
        assert "check" not in str(data).lower()


def _put(client, world, document, content, status="submitted", version=0):
    url = reverse("api:annotation", kwargs={"project_id": world.project.pk,
                                            "document_id": document.pk})
    return client.put(url, {**content, "status": status, "version": version,
                            "seconds_spent": 4}, format="json")


def test_saving_and_reading_ones_annotation_of_a_check_answers_the_same(world, pair):
    user = world.users["annotator"]
    client = api_client_for(user)
    for doc in pair:
        AssignmentFactory(document=doc, annotator=user)
    saved = [_put(client, world, doc, ANSWER) for doc in pair]
    assert [r.status_code for r in saved] == [200, 200]
    assert saved[0].json() == saved[1].json()
    read = [client.get(reverse("api:annotation", kwargs={
        "project_id": world.project.pk, "document_id": doc.pk})).json() for doc in pair]
    assert read[0] == read[1]
    assert "gold" not in str(read[0]).lower()
    # Their own document: the same answer for both, nothing of the check in it.
    own = [client.get(reverse("api:document", kwargs={"project_id": world.project.pk,
                                                      "document_id": doc.pk})) for doc in pair]
    assert [r.status_code for r in own] == [200, 200]
    same = [{k: v for k, v in r.json().items() if k not in ("id", "external_id", "created_at")}
            for r in own]
    assert same[0] == same[1]
    assert "gold" not in own[0].content.decode().lower()
    # Everything else an annotator might try is closed the same way for both.
    for name in ("api:annotations", "api:gold"):
        codes = {client.get(reverse(name, kwargs={"project_id": world.project.pk,
                                                  "document_id": doc.pk})).status_code
                 for doc in pair}
        assert codes == {403}, name


def _normalized(html: str, doc: Document) -> str:
    html = html.replace(f"/documents/{doc.pk}/", "/documents/N/")
    html = html.replace(f'data-document="{doc.pk}"', 'data-document="N"')
    # the document's own id only: a label's id may be the same number (SQLite counts from 1)
    html = html.replace(f'"document": {{"id": {doc.pk},', '"document": {"id": N,')
    html = html.replace(doc.external_id, "EXT")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", html)


def test_the_workbench_page_of_a_check_is_the_same_page(world, pair):
    """With the document's own id and external id taken out, the two pages are identical,
    every element and attribute, the embedded data included."""
    user = world.users["annotator"]
    for doc in pair:
        AssignmentFactory(document=doc, annotator=user)
    page = page_client_for(user)
    pages = []
    for doc in pair:
        response = page.get(reverse("projects:workbench", kwargs={
            "project_id": world.project.pk, "document_id": doc.pk}))
        assert response.status_code == 200
        pages.append(_normalized(response.content.decode(), doc))
    assert pages[0] == pages[1]
    assert "Acme" in pages[0]  # the text is there: the comparison is not of empty pages
    assert "gold" not in pages[0].lower()


def test_annotators_see_no_scores_after_submitting_a_check(world, pair):
    check, _plain = pair
    user = world.users["annotator"]
    AssignmentFactory(document=check, annotator=user)
    client = api_client_for(user)
    assert _put(client, world, check, ANSWER).status_code == 200
    progress = client.get(reverse("api:progress", kwargs={"project_id": world.project.pk}))
    assert progress.status_code == 403
    page = page_client_for(user)
    assert page.get(reverse("projects:progress", kwargs={"project_id": world.project.pk})
                    ).status_code == 403
    assert page.get(reverse("projects:gold-checks", kwargs={"project_id": world.project.pk})
                    ).status_code == 403
    nav = page.get(reverse("projects:detail", kwargs={"project_id": world.project.pk}))
    assert "gold-checks" not in nav.content.decode()
    assert "/progress/" not in nav.content.decode()
