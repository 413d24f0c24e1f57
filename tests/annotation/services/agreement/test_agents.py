"""The agreement job measures agents against gold and each annotator, apart from humans."""

import pytest

from annotation.models import Agent, AgentVersion, AgreementReport, Suggestion
from annotation.selectors.agent_agreement import agent_agreement_inputs
from annotation.services.agreement.jobs import agreement_start
from annotation.services.store import annotation_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# "Alice joined 阿里巴巴 in 2019 🎉": Alice is 0..5, 阿里巴巴 13..17, 2019 21..25
GOLD = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"},
                     {"id": "T2", "start": 13, "end": 17, "label": "ORG"}],
        "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
        "sentiment": "positive"}
BOB = {"entities": [{"id": "T1", "start": 0, "end": 5, "label": "PER"}],
       "relations": [], "sentiment": "negative"}


def _people(world):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    annotation_save(document=world.document, annotator=alice, content=GOLD, status="submitted",
                    version=0)
    annotation_save(document=world.document, annotator=bob, content=BOB, status="submitted",
                    version=0)
    annotation_save(document=world.document, annotator=None, kind="gold", content=GOLD,
                    status="submitted", version=0)


def _suggest(world, agent, kind, label, score, start=None, end=None, tail=(None, None)):
    Suggestion.objects.create(project=world.project, document=world.document, agent=agent,
                              kind=kind, label=world.labels[label], start=start, end=end,
                              tail_start=tail[0], tail_end=tail[1], score=score,
                              model_version="v")


def _agents(world):
    crf = Agent.objects.create(project=world.project, name="crf", kind="crf", active=True)
    crf.version = AgentVersion.objects.create(agent=crf, number=2)
    crf.save()
    _suggest(world, crf, "entity", "PER", 0.9, 0, 5)
    _suggest(world, crf, "entity", "ORG", 0.8, 13, 17)
    _suggest(world, crf, "entity", "PER", 0.1, 21, 25)  # below the minimum: not shown
    relation = Agent.objects.create(project=world.project, name="relation", kind="relation")
    _suggest(world, relation, "relation", "works_for", 0.7, 0, 5, (13, 17))
    sentiment = Agent.objects.create(project=world.project, name="sentiment", kind="sentiment")
    _suggest(world, sentiment, "sentiment", "negative", 0.35)
    _suggest(world, sentiment, "sentiment", "positive", 0.6)


def _run(world, django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        job = agreement_start(project=world.project, by=world.users["manager"])
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    return AgreementReport.objects.filter(project=world.project).first().report


def test_no_suggestions_no_agents(world, django_capture_on_commit_callbacks):
    _people(world)
    assert _run(world, django_capture_on_commit_callbacks)["agents"] == {}


def test_the_selector_reads_what_an_annotator_is_shown(world):
    _people(world)
    _agents(world)
    inputs = agent_agreement_inputs(project=world.project, documents=[world.document.pk])
    doc = world.document.pk
    assert inputs.gold[doc]["entities"] == [(0, 5, "PER"), (13, 17, "ORG")]
    assert inputs.gold[doc]["sentiment"] == "positive"
    crf = inputs.agents["crf"]
    assert crf.version == 2
    assert crf.tasks == {"ner"}
    assert crf.documents[doc]["entities"] == [(0, 5, "PER"), (13, 17, "ORG")]
    relation = inputs.agents["relation"]
    assert relation.version == "v"  # no trained version: the suggestions' model version
    assert relation.documents[doc]["relations"] == [
        {"head": (0, 5, "PER"), "tail": (13, 17, "ORG"), "label": "works_for"}]
    assert inputs.agents["sentiment"].documents[doc]["sentiment"] == "positive"
    assert agent_agreement_inputs(project=world.project, documents=[]).agents == {}


def test_multi_label_sentiment_is_every_label_from_one_half(world):
    world.project.sentiment_multi_label = True
    world.project.save()
    sentiment = Agent.objects.create(project=world.project, name="sentiment", kind="sentiment")
    _suggest(world, sentiment, "sentiment", "negative", 0.45)
    _suggest(world, sentiment, "sentiment", "positive", 0.6)
    inputs = agent_agreement_inputs(project=world.project, documents=[world.document.pk])
    assert inputs.agents["sentiment"].documents[world.document.pk]["sentiment"] == ["positive"]


def test_the_report_has_agents_and_the_human_part_is_unchanged(
        world, django_capture_on_commit_callbacks):
    _people(world)
    without = _run(world, django_capture_on_commit_callbacks)
    _agents(world)
    report = _run(world, django_capture_on_commit_callbacks)
    agents = report.pop("agents")
    without.pop("agents")
    for r in (report, without):
        r.pop("computed_at")
    assert report == without
    assert set(agents) == {"crf", "relation", "sentiment"}
    crf = agents["crf"]
    assert crf["version"] == 2
    assert crf["tasks"] == ["ner"]
    exact = crf["vs_gold"]["entities"]["f1_exact"]
    assert exact["value"] == 1.0
    assert exact["a"] == "gold"
    assert exact["b"] == "crf"
    assert crf["vs_gold"]["entities"]["per_label"]["ORG"]["f1_exact"] == 1.0
    assert crf["vs_gold"]["relations"] is None
    by_human = {p["annotator"]: p for p in crf["vs_annotators"]}
    assert by_human["alice"]["entities"]["f1_exact"]["value"] == 1.0
    assert by_human["bob"]["entities"]["f1_exact"]["value"] == pytest.approx(2 / 3)
    assert by_human["bob"]["entities"]["f1_exact"]["recall"] == 1.0
    assert agents["relation"]["vs_gold"]["relations"]["f1"]["value"] == 1.0
    senti = agents["sentiment"]["vs_gold"]["sentiment"]
    assert senti["percent_agreement"] == 1.0
    assert senti["items"] == 1
    assert {p["annotator"]: p["sentiment"]["percent_agreement"]
            for p in agents["sentiment"]["vs_annotators"]} == {"alice": 1.0, "bob": 0.0}


def test_the_agreement_page_shows_the_models(world, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from tests.conftest import page_client_for

    _people(world)
    page = page_client_for(world.users["manager"])
    url = reverse("projects:agreement", kwargs={"project_id": world.project.pk})
    _run(world, django_capture_on_commit_callbacks)
    assert 'id="models"' not in page.get(url).content.decode()
    _agents(world)
    _run(world, django_capture_on_commit_callbacks)
    shown = page.get(url).content.decode()
    assert 'id="models"' in shown
    assert 'data-agent="crf"' in shown
    assert "v2" in shown
    assert "Entity F1 (exact)" in shown
    assert "1.000" in shown
    assert f'/projects/{world.project.pk}/models/' in shown
    assert 'data-task="sentiment"' in shown
