"""The Models page: who sees it, what it shows of each agent, and its forms (switch, the
LLM agent's endpoint, train) with and without htmx."""

import re

import pytest
from django.urls import reverse

from annotation.models import Agent, AgentVersion, SuggestionDecision
from annotation.services.store import annotation_save
from projects.models import Job, JobStatus
from tests.conftest import page_client_for
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
SECRET = "sk-page-secret-0815"
HOSTILE = '<script>alert("x")</script>'


def url(world) -> str:
    return reverse("projects:models", kwargs={"project_id": world.project.pk})


@pytest.fixture
def manager(world):
    return page_client_for(world.users["manager"])


def _agent(world, name: str) -> Agent:
    return Agent.objects.get(project=world.project, name=name)


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "status"), [("manager", 200), ("reviewer", 200),
                                               ("consumer", 200), ("annotator", 403),
                                               ("outsider", 404)])
def test_who_sees_the_page(world, actor, status):
    response = page_client_for(world.users[actor]).get(url(world))
    assert response.status_code == status


def test_anonymous_is_sent_to_log_in(world, client):
    response = client.get(url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("actor", "status"), [("reviewer", 403), ("consumer", 403),
                                               ("annotator", 403), ("outsider", 404)])
def test_only_managers_post(world, actor, status):
    client = page_client_for(world.users[actor])
    response = client.post(url(world), {"action": "switch", "agent": "crf", "active": "off"})
    assert response.status_code == status
    assert client.post(url(world), {"action": "train"}).status_code == status
    assert not Agent.objects.filter(project=world.project).exists()
    assert not Job.objects.filter(kind="train").exists()


def test_readers_get_no_forms_and_no_secret_field(world):
    Agent.objects.create(project=world.project, name="llm", kind="llm", secret=SECRET,
                         config={"url": "https://llm.example.com", "model": "m"})
    page = page_client_for(world.users["reviewer"]).get(url(world)).content.decode()
    assert 'method="post"' not in page.split('id="models-body"', 1)[1]
    assert "https://llm.example.com" in page
    assert "A secret is set." in page
    assert SECRET not in page


def test_the_page_is_linked_from_the_tabs(world, manager):
    page = manager.get(reverse("projects:agreement", kwargs={"project_id": world.project.pk}))
    assert f'href="{url(world)}"' in page.content.decode()
    annotator = page_client_for(world.users["annotator"])
    overview = annotator.get(reverse("projects:detail", kwargs={"project_id": world.project.pk}))
    assert f'href="{url(world)}"' not in overview.content.decode()


# --- what it shows ------------------------------------------------------------------------


def test_each_agent_with_its_version_metrics_and_accept_rates(world, manager):
    crf = Agent.objects.create(project=world.project, name="crf", kind="crf", active=True,
                               message=HOSTILE)
    metrics = {"f1": 0.8, "precision": 0.75, "recall": 0.857, "folds": 5,
               "per_label": {"PER": {"precision": 0.9, "recall": 1.0, "f1": 0.947,
                                     "support": 12},
                             "ORG": {"precision": 0.6, "recall": 0.7, "f1": 0.646,
                                     "support": 9}}}
    version = AgentVersion.objects.create(agent=crf, number=3, trained_on=42, metrics=metrics,
                                          passed=True, training_seconds=1.25)
    crf.version = version
    crf.save()
    for decision in ("accepted", "accepted", "rejected"):
        SuggestionDecision.objects.create(project=world.project, document=world.document,
                                          agent=crf, user=world.users["reviewer"],
                                          decision=decision, kind="entity",
                                          label=world.labels["PER"], start=0, end=5)
    response = manager.get(url(world))
    assert response.status_code == 200
    page = response.content.decode()
    names = re.findall(r'class="card agent" id="agent-[\w-]+" data-agent="(\w+)"', page)
    assert names == ["dictionary", "crf", "sentiment", "relation", "llm"]
    section = page.split('data-agent="crf"', 1)[1].split('class="card agent"', 1)[0]
    assert 'data-version="3"' in page
    assert "42 gold documents" in section
    assert re.search(r'data-stat="f1"><span class="num">0.800<', section)
    assert re.search(r'data-stat="precision"><span class="num">0.750<', section)
    assert re.search(r'data-stat="recall"><span class="num">0.857<', section)
    assert re.search(r'data-stat="accept"><span class="num">66.7%<', section)
    per = section.split('data-label="PER"', 1)[1].split("</tr>", 1)[0]
    assert "0.947" in per
    assert "12" in per
    assert "66.7%" in per
    assert 'data-label="ORG"' in section
    assert "5 folds" in section
    assert HOSTILE not in page
    assert "&lt;script&gt;" in section
    assert "Not trained yet." in page.split('data-agent="dictionary"', 1)[1].split(
        'class="card agent"', 1)[0]


# --- switching ----------------------------------------------------------------------------


def test_switching_without_htmx_redirects_with_a_message(world, manager):
    response = manager.post(url(world), {"action": "switch", "agent": "crf", "active": "off"})
    assert response.status_code == 302
    assert response["Location"] == url(world)
    assert _agent(world, "crf").active is False
    page = manager.get(url(world)).content.decode()
    assert "crf is off." in page
    assert re.search(r'data-agent="crf" data-active="off"', page)
    manager.post(url(world), {"action": "switch", "agent": "crf", "active": "on"})
    assert _agent(world, "crf").active is True


def test_switching_with_htmx_answers_the_body_with_the_message(world, manager):
    response = manager.post(url(world), {"action": "switch", "agent": "dictionary",
                                         "active": "off"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="models-body"')
    assert "<html" not in body
    assert "dictionary is off." in body
    assert 'data-agent="dictionary" data-active="off"' in body


def test_a_service_error_is_shown_as_a_message(world, manager):
    response = manager.post(url(world), {"action": "switch", "agent": "llm", "active": "on"},
                            follow=True)
    assert "Set the LLM agent" in response.content.decode()
    assert not Agent.objects.filter(project=world.project, name="llm", active=True).exists()
    unknown = manager.post(url(world), {"action": "switch", "agent": "nobody", "active": "on"},
                           follow=True)
    assert "no agent nobody" in unknown.content.decode()
    bad = manager.post(url(world), {"action": "explode"}, follow=True)
    assert "Unknown action." in bad.content.decode()


# --- the LLM agent's endpoint -------------------------------------------------------------


def test_the_llm_form_saves_and_never_echoes_the_secret(world, manager):
    data = {"action": "llm", "url": "https://llm.example.com/v1", "model": "tiny-1",
            "prompt": "Find names.", "secret": SECRET}
    assert manager.post(url(world), data).status_code == 302
    llm = _agent(world, "llm")
    assert llm.config == {"url": data["url"], "model": "tiny-1", "prompt": "Find names."}
    assert llm.secret == SECRET
    page = manager.get(url(world)).content.decode()
    assert SECRET not in page
    assert "A secret is set." in page
    secret_input = re.search(r'<input[^>]*name="secret"[^>]*>', page)[0]
    assert 'type="password"' in secret_input
    assert "value=" not in secret_input
    assert 'value="https://llm.example.com/v1"' in page
    # empty: the secret stays; "forget" removes it
    manager.post(url(world), {**data, "secret": ""})
    assert _agent(world, "llm").secret == SECRET
    manager.post(url(world), {**data, "secret": "", "forget_secret": "on"})
    assert _agent(world, "llm").secret == ""
    assert "A secret is set." not in manager.get(url(world)).content.decode()
    # with a URL, it can be switched on
    manager.post(url(world), {"action": "switch", "agent": "llm", "active": "on"})
    assert _agent(world, "llm").active is True


def test_an_invalid_llm_form_comes_back_with_its_errors(world, manager):
    data = {"action": "llm", "url": "not a url", "model": "m", "prompt": "", "secret": SECRET}
    plain = manager.post(url(world), data)
    assert plain.status_code == 400
    assert "errorlist" in plain.content.decode()
    assert SECRET not in plain.content.decode()
    htmx = manager.post(url(world), data, **HTMX)
    assert htmx.status_code == 200  # htmx swaps 2xx answers only
    assert "errorlist" in htmx.content.decode()
    assert not Agent.objects.filter(project=world.project, name="llm").exists()


# --- training -----------------------------------------------------------------------------


def test_train_all_and_one(world, manager):
    response = manager.post(url(world), {"action": "train"})
    assert response.status_code == 302
    job = Job.objects.get(project=world.project, kind="train")
    assert job.params["agents"] == ["dictionary", "crf", "sentiment", "relation"]
    page = manager.get(url(world)).content.decode()
    assert "Training started." in page
    history = page.split('id="training-history"', 1)[1]
    assert f'hx-get="{url(world)}?part=history&amp;polling=1"' in history.split(">", 1)[0]
    assert f'id="run-{job.pk}" data-status="queued"' in history
    assert "<progress" in history
    # a second request while one is queued: the same run
    manager.post(url(world), {"action": "train", "agent": "crf"})
    assert Job.objects.filter(project=world.project, kind="train").count() == 1
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)
    manager.post(url(world), {"action": "train", "agent": "crf"})
    assert Job.objects.filter(project=world.project, kind="train").latest("pk").params == {
        "agents": ["crf"]}


def test_the_poll_says_when_the_run_ended(world, manager):
    manager.post(url(world), {"action": "train"})
    running = manager.get(url(world), {"part": "history", "polling": "1"}, **HTMX)
    assert running.content.decode().lstrip().startswith('<section class="card" id="training')
    assert "HX-Trigger" not in running
    Job.objects.filter(kind="train").update(status=JobStatus.SUCCEEDED)
    ended = manager.get(url(world), {"part": "history", "polling": "1"}, **HTMX)
    assert ended["HX-Trigger"] == "agents-changed"
    assert "hx-get" not in ended.content.decode().split(">", 1)[0]
    body = manager.get(url(world), {"part": "models-body"}, **HTMX)
    assert body.content.decode().lstrip().startswith('<div id="models-body"')


def test_training_on_three_gold_documents_shows_the_refusal(
        world, manager, media, django_capture_on_commit_callbacks):
    for i in range(3):
        doc = DocumentFactory(project=world.project, text=f"Alice joined 阿里巴巴 in 201{i}")
        annotation_save(document=doc, annotator=None, kind="gold", status="submitted",
                        version=0, content={"entities": [{"start": 0, "end": 5,
                                                          "label": "PER"}],
                                            "sentiment": "positive"})
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(url(world), {"action": "train", "agent": "crf"}, **HTMX)
    assert response.status_code == 200
    job = Job.objects.get(kind="train")
    assert job.status == JobStatus.SUCCEEDED, job.message
    body = manager.get(url(world), {"part": "models-body"}, **HTMX).content.decode()
    row = body.split(f'id="run-{job.pk}"', 1)[1].split('data-agent="crf"', 1)[1]
    assert "3 gold documents" in row.split("</tr>", 1)[0]
    assert re.search(r'data-agent="crf" data-active="on" data-version=""', body)
    section = body.split('data-agent="crf"', 1)[1].split('class="card agent"', 1)[0]
    assert "The latest training (version 1" in section
    assert "3 gold documents" in section.split('class="reason"', 1)[1]
    assert "Not trained yet." not in section
    assert not Agent.objects.filter(project=world.project, version__isnull=False).exists()
