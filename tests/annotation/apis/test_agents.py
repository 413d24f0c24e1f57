"""The agents API (DESIGN.md, "Agents and suggestions"): the project's agents, switching
them and configuring the LLM agent (its secret write-only), training runs as jobs."""

import json

import pytest
from django.urls import reverse

from annotation.models import Agent, AgentVersion
from annotation.services.store import annotation_save
from projects import services
from projects.models import AuditEvent, Job, JobStatus
from tests.conftest import api_client_for
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db
SECRET = "sk-very-secret-4711"
PER = {"start": 0, "end": 5, "label": "PER"}
ORG = {"start": 13, "end": 17, "label": "ORG"}


def agents_url(project) -> str:
    return reverse("api:agents", kwargs={"project_id": project.pk})


def agent_url(project, name: str) -> str:
    return reverse("api:agent", kwargs={"project_id": project.pk, "name": name})


def train_url(project, name: str) -> str:
    return reverse("api:agent-train", kwargs={"project_id": project.pk, "name": name})


@pytest.fixture
def manager(world):
    return api_client_for(world.users["manager"])


def _names(client, project) -> list[str]:
    response = client.get(agents_url(project))
    assert response.status_code == 200, response.content
    return [agent["name"] for agent in response.json()]


# --- the list -----------------------------------------------------------------------------


def test_the_built_in_agents_follow_the_project_s_tasks(world, manager):
    assert _names(manager, world.project) == ["dictionary", "crf", "sentiment", "relation",
                                              "llm"]
    owner = world.users["manager"]
    ner = services.project_create(creator=owner, name="NER only", tasks=["ner"])
    sentiment = services.project_create(creator=owner, name="Sentiment only",
                                        tasks=["sentiment"])
    assert _names(manager, ner) == ["dictionary", "crf", "llm"]
    assert _names(manager, sentiment) == ["sentiment", "llm"]


def test_an_agent_s_shape_before_any_training(world, manager):
    agents = {a["name"]: a for a in manager.get(agents_url(world.project)).json()}
    crf = agents["crf"]
    assert crf["kind"] == "crf"
    assert crf["active"] is True  # on, but without a version it suggests nothing
    assert (crf["version"], crf["metrics"], crf["accept_rate"], crf["config"]) == (
        None, None, None, None)
    llm = agents["llm"]
    assert (llm["kind"], llm["active"]) == ("llm", False)
    assert llm["config"] == {"url": "", "model": "", "prompt": "", "secret_set": False}
    assert manager.get(agent_url(world.project, "crf")).json() == crf
    missing = manager.get(agent_url(world.project, "no-such-agent"))
    assert missing.status_code == 404


@pytest.mark.parametrize(("actor", "status"), [("reviewer", 200), ("consumer", 200),
                                               ("annotator", 403), ("outsider", 404)])
def test_who_reads_the_agents(world, actor, status):
    client = api_client_for(world.users[actor])
    assert client.get(agents_url(world.project)).status_code == status
    assert client.get(agent_url(world.project, "crf")).status_code == status


# --- switching and configuring ------------------------------------------------------------


def test_a_manager_switches_an_agent_off_and_on(world, manager):
    off = manager.patch(agent_url(world.project, "crf"), {"active": False}, format="json")
    assert off.status_code == 200, off.content
    assert off.json()["active"] is False
    assert Agent.objects.get(project=world.project, name="crf").active is False
    listed = {a["name"]: a for a in manager.get(agents_url(world.project)).json()}
    assert listed["crf"]["active"] is False
    assert listed["dictionary"]["active"] is True
    on = manager.patch(agent_url(world.project, "crf"), {"active": True}, format="json")
    assert on.json()["active"] is True
    event = AuditEvent.objects.filter(project=world.project, action="agent_change").first()
    assert event is not None
    assert event.target == "crf"
    assert event.data == {"active": True}


@pytest.mark.parametrize(("actor", "status"), [("reviewer", 403), ("annotator", 403),
                                               ("consumer", 403), ("outsider", 404)])
def test_only_managers_switch_agents(world, actor, status):
    client = api_client_for(world.users[actor])
    response = client.patch(agent_url(world.project, "crf"), {"active": False}, format="json")
    assert response.status_code == status
    assert set(response.json()) == {"detail", "errors"}
    assert not Agent.objects.filter(project=world.project, name="crf", active=False).exists()


def test_the_llm_secret_is_write_only(world, manager):
    body = {"url": "https://llm.example.com/v1/chat/completions", "model": "tiny-1",
            "prompt": "Find the people and organisations.", "secret": SECRET}
    saved = manager.patch(agent_url(world.project, "llm"), body, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["config"] == {"url": body["url"], "model": "tiny-1",
                                      "prompt": body["prompt"], "secret_set": True}
    assert SECRET not in saved.content.decode()
    assert Agent.objects.get(project=world.project, name="llm").secret == SECRET
    for url in (agents_url(world.project), agent_url(world.project, "llm")):
        assert SECRET not in manager.get(url).content.decode()
        assert SECRET not in api_client_for(world.users["reviewer"]).get(url).content.decode()
    events = AuditEvent.objects.filter(project=world.project, action="agent_change")
    assert events.exists()
    for event in events:
        assert SECRET not in json.dumps(event.data)
        assert SECRET not in event.target
    [event] = events
    assert event.data["secret_changed"] is True
    # switched on once it has a URL; the secret stays when not sent again
    on = manager.patch(agent_url(world.project, "llm"), {"active": True}, format="json")
    assert on.status_code == 200
    assert on.json()["active"] is True
    assert on.json()["config"]["secret_set"] is True
    # an empty secret forgets it
    forgot = manager.patch(agent_url(world.project, "llm"), {"secret": ""}, format="json")
    assert forgot.json()["config"]["secret_set"] is False


def test_switching_the_llm_on_without_a_url_is_a_400_naming_the_field(world, manager):
    response = manager.patch(agent_url(world.project, "llm"), {"active": True}, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "active"
    assert "URL" in error["message"]
    assert not Agent.objects.filter(project=world.project, name="llm", active=True).exists()


def test_an_invalid_url_and_an_endpoint_on_a_trained_agent_are_400s(world, manager):
    bad = manager.patch(agent_url(world.project, "llm"), {"url": "not a url"}, format="json")
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == ["url"]
    crf = manager.patch(agent_url(world.project, "crf"), {"url": "https://x.example"},
                        format="json")
    assert crf.status_code == 400
    assert [e["field"] for e in crf.json()["errors"]] == ["url"]


# --- training -----------------------------------------------------------------------------


def test_train_answers_202_and_a_job_and_a_second_request_gets_the_same_job(world, manager):
    first = manager.post(train_url(world.project, "crf"))
    assert first.status_code == 202, first.content
    job = first.json()
    assert (job["kind"], job["status"]) == ("train", "queued")
    again = manager.post(train_url(world.project, "crf"))
    other = manager.post(train_url(world.project, "sentiment"))
    assert again.status_code == other.status_code == 202
    assert again.json()["id"] == other.json()["id"] == job["id"]
    assert Job.objects.filter(project=world.project, kind="train").count() == 1
    followed = manager.get(reverse("api:job", kwargs={"job_id": job["id"]}))
    assert followed.status_code == 200
    assert (followed.json()["kind"], followed.json()["project"]) == ("train", world.project.pk)
    reviewer = api_client_for(world.users["reviewer"])
    assert reviewer.get(reverse("api:job", kwargs={"job_id": job["id"]})).status_code == 200
    annotator = api_client_for(world.users["annotator"])
    assert annotator.get(reverse("api:job", kwargs={"job_id": job["id"]})).status_code == 403


@pytest.mark.parametrize(("actor", "status"), [("reviewer", 403), ("annotator", 403),
                                               ("consumer", 403), ("outsider", 404)])
def test_only_managers_train(world, actor, status):
    response = api_client_for(world.users[actor]).post(train_url(world.project, "crf"))
    assert response.status_code == status
    assert not Job.objects.filter(kind="train").exists()


def test_the_llm_agent_is_not_trained(world, manager):
    response = manager.post(train_url(world.project, "llm"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "agent"
    assert manager.post(train_url(world.project, "nobody")).status_code == 404


def test_training_on_three_gold_documents_is_refused_and_activates_nothing(
        world, manager, media, django_capture_on_commit_callbacks):
    for i in range(3):
        doc = DocumentFactory(project=world.project, text=f"Alice joined 阿里巴巴 in 201{i}")
        annotation_save(document=doc, annotator=None, kind="gold", status="submitted",
                        version=0, content={"entities": [PER, ORG], "sentiment": "positive"})
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(train_url(world.project, "crf"))
    assert response.status_code == 202
    job = manager.get(reverse("api:job", kwargs={"job_id": response.json()["id"]})).json()
    assert job["status"] == JobStatus.SUCCEEDED, job
    assert job["result"]["gold"] == 3
    crf = job["result"]["agents"]["crf"]
    assert crf["active"] is False
    assert "3 gold documents" in crf["reason"]
    assert crf["version"] == 1
    version = AgentVersion.objects.get(agent__project=world.project, agent__name="crf")
    assert (version.passed, version.trained_on) == (False, 3)
    assert version.reason == crf["reason"]
    agent = manager.get(agent_url(world.project, "crf")).json()
    assert (agent["version"], agent["metrics"]) == (None, None)
    assert not Agent.objects.filter(project=world.project, version__isnull=False).exists()
