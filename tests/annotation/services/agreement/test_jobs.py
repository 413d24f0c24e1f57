"""Agreement jobs: bulk reading of submitted work, one run in flight, debounced automatic runs."""

import pytest
from django.test import override_settings

from annotation.selectors.agreement import agreement_corpus, sentiment_labels
from annotation.services.agreement.jobs import agreement_schedule, agreement_start
from annotation.services.store import annotation_save
from projects.models import Job, JobKind, JobStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_corpus_holds_only_submitted_annotations_as_arrays(world):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    content = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                            {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
               "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
               "sentiment": "positive"}
    annotation_save(document=world.document, annotator=alice, content=content,
                    status="submitted", version=0)
    annotation_save(document=world.document, annotator=bob, content=content, status="draft",
                    version=0)
    annotation_save(document=world.document, annotator=None, kind="gold", content=content,
                    status="submitted", version=0)
    corpus = agreement_corpus(project=world.project)
    assert corpus.annotations.shape == (1, 3)
    assert corpus.annotators == {alice.pk: "alice"}
    assert corpus.annotations[0, 1:].tolist() == [world.document.pk, alice.pk]
    assert corpus.sentiment.tolist() == [[0, world.labels["positive"].pk]]
    assert sorted(corpus.spans[:, [0, 2, 3]].tolist()) == [[0, 0, 5], [0, 13, 17]]
    head, tail = corpus.relations[0, 1:3]
    by_id = {row[1]: (row[2], row[3]) for row in corpus.spans.tolist()}
    assert (by_id[head], by_id[tail]) == ((0, 5), (13, 17))
    assert [name for _, name, _ in sentiment_labels(corpus)] == ["positive", "negative"]


def test_only_one_run_is_in_flight_per_project(world, django_capture_on_commit_callbacks):
    first = agreement_start(project=world.project, by=world.users["manager"])
    again = agreement_start(project=world.project, by=world.users["reviewer"])
    assert again.pk == first.pk
    Job.objects.filter(pk=first.pk).update(status=JobStatus.SUCCEEDED)
    assert agreement_start(project=world.project, by=None).pk != first.pk
    assert Job.objects.filter(kind=JobKind.AGREEMENT).count() == 2


@override_settings(CONCORD_AGREEMENT_DEBOUNCE=60)
def test_automatic_runs_are_debounced(world, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("annotation.tasks.agreement_auto_task.apply_async",
                        lambda args, countdown: queued.append((args, countdown)))
    with django_capture_on_commit_callbacks(execute=True):
        assert agreement_schedule(project_id=world.project.pk) is True
        assert agreement_schedule(project_id=world.project.pk) is False
    assert queued == [((world.project.pk,), 60)]


def test_automatic_runs_can_be_turned_off(world):
    assert agreement_schedule(project_id=world.project.pk) is False  # debounce 0 in tests


def test_a_run_stores_the_report_and_per_document_scores(world, django_capture_on_commit_callbacks):
    from annotation.models import AgreementReport, DocumentDisagreement
    from annotation.services.agreement.jobs import agreement_start

    doc2 = world.document.__class__.objects.create(
        project=world.project, text="Bob works at 腾讯 and lives in 深圳.", content_hash="x")
    people = [UserFactory(username=n) for n in ("ann-a", "ann-b", "ann-c")]
    sentiments = {world.document: ["positive", "positive", "negative"],
                  doc2: ["negative", "negative", "negative"]}
    for document, chosen in sentiments.items():
        for person, sentiment in zip(people, chosen, strict=True):
            annotation_save(document=document, annotator=person, status="submitted", version=0,
                            content={"entities": [{"start": 0, "end": 3, "label": "PER"}],
                                     "sentiment": sentiment})
    with django_capture_on_commit_callbacks(execute=True):
        job = agreement_start(project=world.project, by=world.users["manager"])
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    report = AgreementReport.objects.get(project=world.project)
    assert report.report["documents"] == 2
    assert report.report["annotators"] == ["ann-a", "ann-b", "ann-c"]
    assert report.report["sentiment"]["percent_agreement"] == pytest.approx((1 / 3 + 1) / 2)
    assert report.report["entities"]["f1_exact"]["mean"] == pytest.approx(1.0)
    assert "per_document" not in report.report
    scores = dict(DocumentDisagreement.objects.filter(report=report)
                  .values_list("document_id", "score"))
    assert scores[doc2.pk] == pytest.approx(0.0)
    assert scores[world.document.pk] > 0


def test_the_agreement_page_and_api_before_and_after_a_run(world,
                                                           django_capture_on_commit_callbacks):
    from django.urls import reverse

    from tests.conftest import api_client_for, page_client_for

    page = page_client_for(world.users["reviewer"])
    url = reverse("projects:agreement", kwargs={"project_id": world.project.pk})
    assert b'id="no-report"' in page.get(url).content
    api = api_client_for(world.users["consumer"])
    empty = api.get(reverse("api:agreement", kwargs={"project_id": world.project.pk})).json()
    assert (empty["computed_at"], empty["documents"]) == (None, 0)
    for person in (UserFactory(username="ann-a"), UserFactory(username="ann-b")):
        annotation_save(document=world.document, annotator=person, status="submitted",
                        version=0, content={"sentiment": "positive"})
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/jobs/")
    shown = page.get(url).content.decode()
    assert 'id="headline"' in shown
    assert "ann-a · ann-b" in shown
    report = api.get(reverse("api:agreement", kwargs={"project_id": world.project.pk})).json()
    assert report["documents"] == 1
    assert report["sentiment"]["cohen_kappa"]["pairs"][0]["value"] is None  # one category
    assert any(n["statistic"].startswith("sentiment") for n in report["notes"])
