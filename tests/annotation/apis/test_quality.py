"""GET /api/v1/projects/{id}/quality/: each annotator's reliability (Dawid-Skene and MACE)
and each document's posterior, computed by the agreement job; for managers and reviewers."""

import pytest
from django.urls import reverse

from annotation.models import AgreementReport, DocumentPosterior
from annotation.selectors import quality
from annotation.services.agreement.jobs import agreement_start
from annotation.services.store import annotation_save
from projects import services
from tests.conftest import api_client_for
from tests.factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db
CHOICES = {"ann-a": ["positive", "negative", "positive", "negative", "positive"],
           "ann-b": ["positive", "negative", "positive", "positive", "positive"],
           "ann-c": ["negative", "negative", "positive", "negative", "positive"]}


@pytest.fixture
def rated(world, django_capture_on_commit_callbacks):
    docs = [world.document] + [DocumentFactory(project=world.project, text=f"Text {i}.")
                               for i in range(4)]
    for name, chosen in CHOICES.items():
        person = UserFactory(username=name)
        for doc, sentiment in zip(docs, chosen, strict=True):
            annotation_save(document=doc, annotator=person, status="submitted", version=0,
                            content={"sentiment": sentiment})
    with django_capture_on_commit_callbacks(execute=True):
        job = agreement_start(project=world.project, by=world.users["manager"])
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    return world, docs


def url(world):
    return reverse("api:quality", kwargs={"project_id": world.project.pk})


def test_reviewers_get_every_annotators_reliability_and_the_posteriors(rated):
    world, docs = rated
    answer = api_client_for(world.users["reviewer"]).get(url(world)).json()
    assert answer["computed_at"]
    rows = answer["annotators"]
    assert sorted((r["model"], r["username"]) for r in rows) == sorted(
        (model, name) for model in ("dawid_skene", "mace") for name in CHOICES)
    for row in rows:
        assert 0 <= row["reliability"] <= 1
        low, high = row["interval"]
        assert low <= high
        assert row["items"] == 5
    assert [d["id"] for d in answer["documents"]] == sorted(d.pk for d in docs)
    for document in answer["documents"]:
        assert set(document["posterior"]) == {"positive", "negative"}
        assert sum(document["posterior"].values()) == pytest.approx(1, abs=1e-3)
    by_id = {d["id"]: d["posterior"] for d in answer["documents"]}
    assert by_id[docs[2].pk]["positive"] > 0.9  # all three said positive
    assert by_id[docs[1].pk]["negative"] > 0.9
    assert answer["label_issues"] is None
    assert answer["next_after"] is None


def test_posteriors_are_paged_by_document_id(rated, monkeypatch):
    world, docs = rated
    monkeypatch.setattr(quality, "PAGE_SIZE", 2)
    client = api_client_for(world.users["manager"])
    seen, after = [], 0
    while after is not None:
        answer = client.get(url(world), {"after": after}).json()
        seen += [d["id"] for d in answer["documents"]]
        after = answer["next_after"]
    assert seen == sorted(d.pk for d in docs)
    bad = client.get(url(world), {"after": "x"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "after"


@pytest.mark.parametrize(("role", "status"), [("annotator", 403), ("consumer", 403),
                                              ("outsider", 404)])
def test_others_may_not_read_it(rated, role, status):
    world, _docs = rated
    assert api_client_for(world.users[role]).get(url(world)).status_code == status


def test_a_ner_only_project_says_why_it_has_no_reliability(db,
                                                           django_capture_on_commit_callbacks):
    manager = UserFactory(username="ner-manager")
    project = services.project_create(creator=manager, name="NER", tasks=["ner"], overlap=2)
    services.label_create(project=project, kind="entity", name="PER")
    doc = DocumentFactory(project=project, text="Alice met Bob.")
    for name in ("x", "y"):
        annotation_save(document=doc, annotator=UserFactory(username=name),
                        status="submitted", version=0,
                        content={"entities": [{"start": 0, "end": 5, "label": "PER"}]})
    with django_capture_on_commit_callbacks(execute=True):
        agreement_start(project=project, by=manager)
    answer = api_client_for(manager).get(
        reverse("api:quality", kwargs={"project_id": project.pk})).json()
    assert answer["annotators"] == []
    assert answer["documents"] == []
    assert "no sentiment labels" in answer["notes"][0]
    assert not DocumentPosterior.objects.exists()


def test_before_any_report(world):
    answer = api_client_for(world.users["manager"]).get(url(world)).json()
    assert (answer["computed_at"], answer["annotators"], answer["documents"]) == (None, [], [])
    assert "no agreement report yet" in answer["notes"]


def test_a_new_report_replaces_the_posteriors_of_the_earlier_ones(rated,
                                                                django_capture_on_commit_callbacks):
    world, docs = rated
    with django_capture_on_commit_callbacks(execute=True):
        agreement_start(project=world.project, by=world.users["manager"])
    latest = AgreementReport.objects.filter(project=world.project).latest("id")
    assert AgreementReport.objects.filter(project=world.project).count() == 2
    assert set(DocumentPosterior.objects.values_list("report_id", flat=True)) == {latest.pk}
    assert DocumentPosterior.objects.count() == len(docs)
