"""The document manager's pages: search and filters, bulk actions with their confirmation,
export of a set, and the document page as each role sees it."""

import pytest
from django.urls import reverse

from annotation.models import (
    AnnotationKind,
    AnnotationStatus,
    Assignment,
    DatasetVersion,
    Document,
)
from annotation.services.store import annotation_save
from projects.models import Job
from tests.conftest import page_client_for
from tests.factories import AssignmentFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def list_url(world):
    return reverse("projects:documents", kwargs={"project_id": world.project.pk})


def bulk_url(world):
    return reverse("projects:documents-bulk", kwargs={"project_id": world.project.pk})


def shown(response):
    assert response.status_code == 200, response.content[:500]
    return [d.pk for d in response.context["page"].documents]


@pytest.fixture
def corpus(world):
    made = [DocumentFactory(project=world.project, text=t, meta={"src": s}) for t, s in [
        ("北京大学的学生", "web"), ("Bob in Paris", "news"), ("مرحبا بالعالم", "news")]]
    return [world.document, *made]


def test_the_page_searches_filters_and_sorts(world, corpus):
    client = page_client_for(world.users["manager"])
    assert shown(client.get(list_url(world), {"q": "大学"})) == [corpus[1].pk]
    assert shown(client.get(list_url(world), {"meta_key": "src", "meta_value": "news"})) \
        == [corpus[2].pk, corpus[3].pk]
    assert shown(client.get(list_url(world), {"ordering": "-id"}))[0] == corpus[3].pk
    fragment = client.get(list_url(world), {"q": "مرحبا"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="document-table"')
    assert "مرحبا بالعالم" in html
    bad = client.get(list_url(world), {"agreement_lt": "7"})
    assert bad.status_code == 400
    assert "agreement_lt" in bad.content.decode()


def test_annotators_list_only_their_documents_and_no_bulk_form(world, corpus):
    annotator = world.users["annotator"]
    AssignmentFactory(document=corpus[2], annotator=annotator)
    response = page_client_for(annotator).get(list_url(world))
    assert shown(response) == [corpus[2].pk]
    assert 'id="bulk-form"' not in response.content.decode()
    assert 'id="bulk-form"' in page_client_for(world.users["manager"]).get(
        list_url(world)).content.decode()


def test_assign_from_the_page(world, corpus):
    client = page_client_for(world.users["manager"])
    response = client.post(bulk_url(world), {
        "action": "assign", "ids": [corpus[1].pk, corpus[2].pk],
        "annotators": ["annotator-user"], "filters": "q=x"})
    assert response.status_code == 302
    assert response["Location"].endswith("?q=x")
    assert set(Assignment.objects.filter(status="assigned").values_list("document_id",
                                                                        flat=True)) \
        == {corpus[1].pk, corpus[2].pk}
    refused = client.post(bulk_url(world), {"action": "assign", "ids": [corpus[3].pk],
                                            "annotators": ["consumer-user"]}, follow=True)
    assert "consumer-user is a consumer and may not label." in refused.content.decode()


def test_delete_asks_first_then_deletes_the_filtered_set(world, corpus):
    client = page_client_for(world.users["manager"])
    ask = client.post(bulk_url(world), {"action": "delete", "every": "true",
                                        "filters": "meta.src=news"})
    assert ask.status_code == 200
    assert ask.context["count"] == 2
    assert Document.objects.filter(pk=corpus[2].pk).exists()  # nothing yet
    done = client.post(bulk_url(world), {"action": "delete", "every": "true",
                                         "filters": "meta.src=news", "confirmed": "true"})
    assert done.status_code == 302
    assert not Document.objects.filter(pk__in=[corpus[2].pk, corpus[3].pk]).exists()
    assert Document.objects.filter(pk=corpus[1].pk).exists()


def test_nothing_chosen_is_an_error_message(world, corpus):
    response = page_client_for(world.users["manager"]).post(
        bulk_url(world), {"action": "gold_check"}, follow=True)
    assert "Choose documents, or every document of the list." in response.content.decode()
    forged = page_client_for(world.users["manager"]).post(bulk_url(world), {
        "action": "delete", "every": "true", "filters": "agreement_lt=9&ordering=text"},
        follow=True)
    assert forged.status_code == 400  # back to the list, whose filters are named again
    assert "The list&#x27;s filters are not valid: agreement_lt, ordering." in \
        forged.content.decode()
    assert Document.objects.filter(project=world.project).count() == 4


def test_export_just_this_set_from_the_page(world, corpus, media,
                                            django_capture_on_commit_callbacks):
    client = page_client_for(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bulk_url(world), {"action": "export", "format": "jsonl",
                                                 "every": "true", "filters": "q=Paris"})
    assert response.status_code == 302
    job = Job.objects.get(kind="export")
    assert job.status == "succeeded", job.message
    version = DatasetVersion.objects.get(job=job)
    assert version.documents == 1
    assert version.manifest["selection"] == {"filter": {"q": "Paris"}}


def test_the_document_page_as_each_role_sees_it(world, corpus):
    doc = corpus[2]  # "Bob in Paris"
    annotator, reviewer = world.users["annotator"], world.users["reviewer"]
    AssignmentFactory(document=doc, annotator=annotator)
    annotation_save(document=doc, annotator=annotator, content={
        "entities": [{"id": "T1", "start": 0, "end": 3, "label": "PER"}], "relations": [],
        "sentiment": None})
    annotation_save(document=doc, annotator=reviewer, status=AnnotationStatus.SUBMITTED,
                    content={"entities": [{"id": "T1", "start": 7, "end": 12, "label": "ORG"}],
                             "relations": [], "sentiment": "positive"})
    annotation_save(document=doc, annotator=None, kind=AnnotationKind.GOLD,
                    status=AnnotationStatus.SUBMITTED,
                    content={"entities": [{"id": "T1", "start": 0, "end": 3, "label": "PER"}],
                             "relations": [], "sentiment": "positive"})
    url = reverse("projects:document", kwargs={"project_id": world.project.pk,
                                               "document_id": doc.pk})
    seen = page_client_for(reviewer).get(url)
    html = seen.content.decode()
    assert seen.status_code == 200
    assert [lane.title for lane in seen.context["view"].lanes] == ["annotator-user",
                                                                    "reviewer-user"]
    assert seen.context["view"].gold is not None
    assert '<mark title="ORG" data-labels="ORG">Paris</mark>' in html
    assert 'data-lane="gold"' in html
    own = page_client_for(annotator).get(url)
    assert [lane.title for lane in own.context["view"].lanes] == ["annotator-user"]
    assert own.context["view"].gold is None
    assert "reviewer-user" not in own.content.decode()
    other = reverse("projects:document", kwargs={"project_id": world.project.pk,
                                                 "document_id": corpus[1].pk})
    assert page_client_for(annotator).get(other).status_code == 403  # not theirs
    missing = reverse("projects:document", kwargs={"project_id": world.project.pk,
                                                   "document_id": 10**9})
    assert page_client_for(annotator).get(missing).status_code == 404
    assert page_client_for(world.users["outsider"]).get(url).status_code == 404


def test_the_project_list_shows_each_projects_progress(world, corpus, settings,
                                                       django_capture_on_commit_callbacks):
    from annotation.models import ProgressSnapshot

    Document.objects.filter(pk__in=[corpus[1].pk, corpus[2].pk]).update(status="annotated")
    Document.objects.filter(pk=corpus[3].pk).update(status="reviewed")
    client = page_client_for(world.users["annotator"])
    with django_capture_on_commit_callbacks(execute=True):  # no figures yet: counted
        first = client.get(reverse("projects:list"))
    assert "being counted" in first.content.decode()
    assert ProgressSnapshot.objects.filter(project=world.project).exists()
    shown = client.get(reverse("projects:list")).content.decode()
    assert '<progress max="4" value="3"' in shown
    assert "3 of 4 (75%)" in shown
