"""The LLM agent through the service: configured by a manager, asked on loopback, its
failures counted and never in the annotator's way, its secret kept out of answers and logs."""

import pytest

from annotation.models import Agent, AgentKind, Suggestion
from annotation.selectors.agents import suggestions_for
from annotation.services.agents.llm import llm_precompute
from annotation.services.agents.registry import agent_update
from projects.errors import ServiceError
from projects.models import AuditEvent
from tests.annotation.pure.assist.fake_llm import SECRET, fake_server

pytestmark = pytest.mark.django_db
TEXT = "Alice joined 阿里巴巴 in 2019 🎉"  # the world document


@pytest.fixture
def fake(settings):
    settings.CONCORD_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.CONCORD_LLM_TIMEOUT = 2.0
    with fake_server() as server:
        yield server


@pytest.fixture
def configured(world, fake):
    agent_update(project=world.project, name="llm", by=world.users["manager"],
                 llm={"url": fake.url, "model": "tiny-chat"}, secret=SECRET)
    agent_update(project=world.project, name="llm", by=world.users["manager"], active=True)
    return world


def test_answers_become_suggestions_with_code_point_offsets_prompt_and_model(configured, fake):
    fake.says({"entities": [{"text": "阿里巴巴", "label": "ORG"},
                            {"text": "Alice", "label": "PER"},
                            {"text": "Bob", "label": "PER"}],  # not in the text: dropped
               "sentiment": ["positive"]})
    tally = llm_precompute(project=configured.project)
    assert tally == {"documents": 1, "errors": 0, "dropped": 1}
    found = suggestions_for(project=configured.project, document=configured.document)
    assert {(e["start"], e["end"], e["text"], e["label"]) for e in found["entities"]} == {
        (13, 17, "阿里巴巴", "ORG"), (0, 5, "Alice", "PER")}
    assert [s["label"] for s in found["sentiment"]] == ["positive"]
    stored = Suggestion.objects.filter(agent__kind=AgentKind.LLM).first()
    assert stored.detail["model"] == "tiny-chat"
    assert TEXT in stored.detail["prompt"]
    assert Agent.objects.get(project=configured.project, name="llm").dropped == 1
    assert fake.requests[0]["headers"]["Authorization"] == f"Bearer {SECRET}"


@pytest.mark.parametrize("fault", ["timeout", "500", "garbage"])
def test_a_failing_endpoint_costs_nothing_but_a_counted_error(configured, fake, fault):
    if fault == "timeout":
        fake.delay = 5.0
    elif fault == "500":
        fake.status, fake.body = 500, b'{"error": "boom"}'
    else:
        fake.says("this is not json at all")
    tally = llm_precompute(project=configured.project)
    assert tally["errors"] == 1
    assert tally["documents"] == 0
    assert not Suggestion.objects.filter(project=configured.project).exists()
    assert Agent.objects.get(project=configured.project, name="llm").errors == 1


def test_the_secret_is_never_in_the_audit_log(configured):
    for event in AuditEvent.objects.filter(project=configured.project):
        assert SECRET not in str(event.data)
        assert SECRET not in event.target


def test_loopback_is_refused_unless_allowed(configured, fake, settings):
    settings.CONCORD_WEBHOOK_ALLOWED_NETWORKS = []
    fake.says({"entities": [], "sentiment": ["positive"]})
    assert llm_precompute(project=configured.project)["errors"] == 1
    assert fake.requests == []  # refused before connecting


def test_switching_on_without_an_endpoint_is_refused(world):
    with pytest.raises(ServiceError) as caught:
        agent_update(project=world.project, name="llm", by=world.users["manager"], active=True)
    assert caught.value.errors[0]["field"] == "active"


def test_only_the_llm_agent_has_an_endpoint(world):
    with pytest.raises(ServiceError):
        agent_update(project=world.project, name="crf", by=world.users["manager"],
                     llm={"url": "http://example.com/"})
