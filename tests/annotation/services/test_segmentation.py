"""A project's Chinese segmentation end to end: set through the API and the settings page,
it drives token exports, token agreement (recounted when it changes) and the word
boundaries the workbench and the adjudication page are sent."""

import json
import re

import pytest
from django.urls import reverse

from annotation.models import AgreementReport
from annotation.services.store import annotation_save
from projects import services
from projects.models import Job, JobKind, JobStatus
from tests.conftest import api_client_for, page_client_for
from tests.factories import DocumentFactory, UserFactory

TEXT = "马云在阿里巴巴工作，他住在杭州。"
WORDS = ["马云", "在", "阿里巴巴", "工作", "，", "他", "住", "在", "杭州", "。"]


@pytest.fixture
def ner_only(db):
    """A NER-only project (no relations, no sentiment) with two annotators' work."""
    manager = UserFactory(username="zh-manager")
    project = services.project_create(creator=manager, name="中文", tasks=["ner"], overlap=2)
    services.label_create(project=project, kind="entity", name="PER")
    services.label_create(project=project, kind="entity", name="ORG")
    document = DocumentFactory(project=project, text=TEXT)
    for name, entities in (("ann-a", [(0, 2, "PER"), (3, 7, "ORG")]),
                           ("ann-b", [(0, 1, "PER"), (3, 7, "ORG")])):
        user = UserFactory(username=name)
        services.member_add(project=project, username=name, role="annotator")
        annotation_save(document=document, annotator=user, status="submitted", version=0,
                        content={"entities": [{"start": s, "end": e, "label": lab}
                                              for s, e, lab in entities]})
    return project, manager, document


def patch(project, user, body):
    url = reverse("api:project", kwargs={"project_id": project.pk})
    return api_client_for(user).patch(url, body, format="json")


def token_section(project) -> dict:
    return AgreementReport.objects.filter(project=project).latest("id").report[
        "entities"]["token"]


def test_changing_it_recounts_token_agreement_over_words(ner_only,
                                                         django_capture_on_commit_callbacks):
    project, manager, _document = ner_only
    with django_capture_on_commit_callbacks(execute=True):
        response = patch(project, manager, {"segmentation": "jieba"})
    assert response.status_code == 200, response.json()
    assert response.json()["segmentation"] == "jieba"
    job = Job.objects.get(project=project, kind=JobKind.AGREEMENT)
    assert job.status == JobStatus.SUCCEEDED, job.message
    words = token_section(project)
    assert (words["segmentation"], words["tokens"]) == ("jieba", len(WORDS))
    # 马 alone touches the word 马云: over words both annotators tag it B-PER
    assert words["cohen_kappa"]["mean"] == pytest.approx(1.0)
    with django_capture_on_commit_callbacks(execute=True):
        assert patch(project, manager, {"segmentation": "characters"}).status_code == 200
    characters = token_section(project)
    assert (characters["segmentation"], characters["tokens"]) == ("characters", len(TEXT))
    assert characters["cohen_kappa"]["mean"] < 1.0


def test_other_changes_do_not_recount(ner_only, django_capture_on_commit_callbacks):
    project, manager, _document = ner_only
    with django_capture_on_commit_callbacks(execute=True):
        assert patch(project, manager, {"lease_minutes": 20}).status_code == 200
    assert not Job.objects.filter(project=project, kind=JobKind.AGREEMENT).exists()


def test_an_unknown_value_is_a_400_naming_the_field(ner_only):
    project, manager, _document = ner_only
    response = patch(project, manager, {"segmentation": "words"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["segmentation"]
    project.refresh_from_db()
    assert project.segmentation == "characters"


def test_an_annotator_cannot_change_it(ner_only):
    project, _manager, _document = ner_only
    annotator = project.memberships.get(user__username="ann-a").user
    assert patch(project, annotator, {"segmentation": "jieba"}).status_code == 403
    project.refresh_from_db()
    assert project.segmentation == "characters"


def test_the_settings_page_sets_it_and_keeps_it_when_left_out(ner_only):
    project, manager, _document = ner_only
    page = page_client_for(manager)
    url = reverse("projects:settings", args=[project.pk])
    assert "Words (jieba)" in page.get(url).content.decode()
    form = {"name": project.name, "tasks": ["ner"], "overlap": 2, "sentiment_scale": "nominal",
            "pii_policy": "off", "lease_minutes": 30, "gold_check_rate": 0,
            "order_field": "", "segmentation": "jieba"}
    assert page.post(url, form).status_code == 302
    project.refresh_from_db()
    assert project.segmentation == "jieba"
    del form["segmentation"]
    assert page.post(url, form).status_code == 302
    project.refresh_from_db()
    assert project.segmentation == "jieba"


def test_the_conll_export_writes_words(ner_only):
    project, manager, document = ner_only
    services.project_update(project=project, segmentation="jieba")
    url = reverse("api:export", kwargs={"project_id": project.pk})
    response = api_client_for(manager).get(url, {"format": "conll", "scope": "all"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    sections = body.split("-DOCSTART- -X- -X- O\n")[1:]
    assert len(sections) == 2
    for section in sections:
        tokens = [line.split(" ")[0] for line in section.splitlines()
                  if line and not line.startswith("# ")]
        assert tokens == WORDS
    assert "马云 B-PER" in sections[0]
    assert "阿里巴巴 B-ORG" in sections[0]
    assert document.text == TEXT


def workbench_data(client, url) -> dict:
    html = client.get(url).content.decode()
    found = re.search(r'<script id="workbench-data" type="application/json">(.*?)</script>',
                      html, re.S)
    assert found, html[:500]
    return json.loads(found.group(1))


def test_the_workbench_is_sent_the_words_only_under_jieba(ner_only):
    project, _manager, _document = ner_only
    user = UserFactory(username="ann-c")
    services.member_add(project=project, username=user.username, role="annotator")
    other = DocumentFactory(project=project, text="Alice 在北京 met 张伟 😀")
    page = page_client_for(user)
    url = reverse("projects:workbench", args=[project.pk, other.pk])
    next_url = reverse("projects:label", args=[project.pk])
    assert page.get(next_url)["Location"] == url  # the other document is the one left
    assert workbench_data(page, url)["document"]["words"] is None
    services.project_update(project=project, segmentation="jieba")
    words = workbench_data(page, url)["document"]["words"]
    text = other.text
    assert [text[words[i]:words[i + 1]] for i in range(0, len(words), 2)] == ["北京", "张伟"]


def test_the_adjudication_page_is_sent_the_words(ner_only):
    project, manager, document = ner_only
    services.project_update(project=project, segmentation="jieba")
    html = page_client_for(manager).get(
        reverse("projects:adjudicate", args=[project.pk, document.pk])).content.decode()
    found = re.search(r'<script id="review-data" type="application/json">(.*?)</script>',
                      html, re.S)
    words = json.loads(found.group(1))["document"]["words"]
    assert [TEXT[words[i]:words[i + 1]] for i in range(0, len(words), 2)] == [
        w for w in WORDS if len(w) > 1]
