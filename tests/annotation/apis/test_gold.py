"""The gold API (GET/PUT …/documents/{doc}/gold/) and the review pages, by role."""

import pytest
from django.urls import reverse
from django.utils import timezone

from annotation.models import AgreementReport, DocumentDisagreement, DocumentStatus
from annotation.services.annotations import annotation_write
from tests.conftest import api_client_for, page_client_for
from tests.factories import AssignmentFactory, DocumentFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db
BODY = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                     {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
        "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
        "sentiment": "positive", "version": 0}


def gold_url(world, document=None):
    return reverse("api:gold", kwargs={"project_id": world.project.pk,
                                       "document_id": (document or world.document).pk})


@pytest.fixture
def reviewer(world):
    return api_client_for(world.users["reviewer"])


def test_get_is_empty_at_version_0_then_put_sets_it(world, reviewer):
    empty = reviewer.get(gold_url(world))
    assert empty.status_code == 200
    assert empty.json() == {"entities": [], "relations": [], "sentiment": None, "version": 0,
                            "updated_by": None, "updated_at": None}
    saved = reviewer.put(gold_url(world), BODY, format="json")
    assert saved.status_code == 200, saved.json()
    data = saved.json()
    assert (data["version"], data["updated_by"]) == (1, "reviewer-user")
    assert [e["text"] for e in data["entities"]] == ["Alice", "阿里巴巴"]
    read = reviewer.get(gold_url(world)).json()
    assert {k: read[k] for k in ("entities", "relations", "sentiment", "version")} == {
        k: data[k] for k in ("entities", "relations", "sentiment", "version")}
    world.document.refresh_from_db()
    assert world.document.status == DocumentStatus.REVIEWED


def test_a_stale_version_is_409_and_nothing_is_overwritten(world, reviewer):
    manager = api_client_for(world.users["manager"])
    assert reviewer.put(gold_url(world), BODY, format="json").status_code == 200
    assert manager.put(gold_url(world), {**BODY, "version": 1, "sentiment": "negative"},
                       format="json").status_code == 200
    stale = reviewer.put(gold_url(world), {**BODY, "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["errors"] == [{"field": "version", "message": "stale version"}]
    assert "reload" in stale.json()["detail"]
    kept = reviewer.get(gold_url(world)).json()
    assert (kept["version"], kept["sentiment"], kept["updated_by"]) == (2, "negative",
                                                                        "mia-manager")


def test_invalid_gold_is_400_with_the_annotation_errors(world, reviewer):
    bad = {**BODY, "entities": [{"id": "T1", "start": 3, "end": 2, "label": "PER"}],
           "relations": []}
    response = reviewer.put(gold_url(world), bad, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "entities[0]"
    missing = reviewer.put(gold_url(world), {"entities": []}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == [{"field": "version",
                                         "message": "This field is required."}]


@pytest.mark.parametrize("role", ["annotator", "consumer"])
def test_members_without_adjudicate_get_403_everywhere(world, role):
    user = world.users[role]
    AssignmentFactory(document=world.document, annotator=user)  # even their own document
    api = api_client_for(user)
    assert api.get(gold_url(world)).status_code == 403
    assert api.put(gold_url(world), BODY, format="json").status_code == 403
    pages = page_client_for(user)
    for name, kwargs in (("projects:review", {}),
                         ("projects:adjudicate", {"document_id": world.document.pk})):
        url = reverse(name, kwargs={"project_id": world.project.pk, **kwargs})
        assert pages.get(url).status_code == 403


def test_non_members_and_other_projects_documents_are_404(world, reviewer):
    outsider = api_client_for(world.users["outsider"])
    assert outsider.get(gold_url(world)).status_code == 404
    assert outsider.put(gold_url(world), BODY, format="json").status_code == 404
    elsewhere = DocumentFactory(project=ProjectFactory())
    assert reviewer.get(gold_url(world, elsewhere)).status_code == 404
    assert reviewer.put(gold_url(world, elsewhere), BODY, format="json").status_code == 404


def _annotated(world, n):
    people = [UserFactory(username=f"p{i}") for i in range(2)]
    docs = []
    for i in range(n):
        doc = DocumentFactory(project=world.project, text=f"Text {i} of Alice.")
        for person in people:
            AssignmentFactory(document=doc, annotator=person)
            annotation_write(project=world.project, document_id=doc.pk, user=person,
                             content={"sentiment": "positive" if i else "negative"},
                             version=0, status="submitted", seconds_spent=1)
        docs.append(doc)
    return docs


def test_queue_page_lists_by_disagreement_and_links_to_adjudication(world):
    low, high = _annotated(world, 2)
    rep = AgreementReport.objects.create(project=world.project, computed_at=timezone.now(),
                                         report={})
    DocumentDisagreement.objects.bulk_create([DocumentDisagreement(report=rep, document=low,
                                                                   score=0.1),
                                              DocumentDisagreement(report=rep, document=high,
                                                                   score=0.8)])
    client = page_client_for(world.users["reviewer"])
    url = reverse("projects:review", kwargs={"project_id": world.project.pk})
    html = client.get(url).content.decode()
    assert html.index(f'data-document="{high.pk}"') < html.index(f'data-document="{low.pk}"')
    assert reverse("projects:adjudicate", args=[world.project.pk, high.pk]) in html
    filtered = client.get(url, {"label": world.labels["negative"].pk}).content.decode()
    assert f'data-document="{low.pk}"' in filtered
    assert f'data-document="{high.pk}"' not in filtered
    fragment = client.get(url, {"sort": "newest"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="queue-table"')
    assert client.get(url, {"meta": "no-equals-sign"}).status_code == 200


def test_adjudication_page_carries_lanes_gold_and_the_next_document(world):
    first, second = _annotated(world, 2)
    client = page_client_for(world.users["manager"])
    response = client.get(reverse("projects:adjudicate", args=[world.project.pk, first.pk]))
    assert response.status_code == 200
    data = response.context["data"]
    assert [lane["annotator"] for lane in data["lanes"]] == ["p0", "p1"]
    assert data["gold"]["version"] == 0
    assert data["urls"]["gold"] == gold_url(world, first)
    assert data["urls"]["next"] == reverse("projects:adjudicate",
                                           args=[world.project.pk, second.pk])
    assert b"<script>" not in response.content  # data travels in a JSON block (CSP)
