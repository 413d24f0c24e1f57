"""Suggestions computed ahead for open documents; a broken artifact switches its agent off
and labeling goes on."""

import json
import threading

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from annotation.models import Agent, Document, Suggestion
from annotation.selectors.agents import suggestions_for
from annotation.services.agents.suggesting import suggestions_precompute
from annotation.services.agents.training import training_start
from annotation.tasks import train_task
from config.celery_base import route_training
from projects.models import Job, JobKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(trained_world):
    job = training_start(project=trained_world.project, by=None)
    train_task(job.pk)  # queues the suggestion run on commit; run it here
    suggestions_precompute(project_id=trained_world.project.pk)
    return trained_world


def test_open_documents_get_the_switched_on_agents_suggestions(trained):
    for document in trained.open:
        found = suggestions_for(project=trained.project, document=document)
        entities = {(e["text"], e["label"]) for e in found["entities"]}
        assert ("Initech", "ORG") in entities  # the dictionary knows it from gold
        assert all(0 <= e["score"] <= 1 and e["model_version"] == "1" for e in found["entities"])
        assert [s["label"] for s in found["sentiment"] if s["agent"] == "sentiment"] == [
            "positive"]
        document.refresh_from_db()
        assert 0 <= document.confidence <= 1
    unseen = {e["text"] for doc in trained.open
              for e in suggestions_for(project=trained.project, document=doc)["entities"]
              if e["agent"] == "crf" and e["label"] == "PER"}
    assert unseen & {"Kim Park", "Lena Roth", "Mo Chen", "Nia Long", "Oskar Ek"}  # never in gold


def test_reviewed_documents_get_none_and_a_rerun_replaces_instead_of_adding(trained):
    before = Suggestion.objects.filter(project=trained.project).count()
    assert before > 0
    suggestions_precompute(project_id=trained.project.pk)
    assert Suggestion.objects.filter(project=trained.project).count() == before
    assert not Suggestion.objects.filter(document__status="reviewed").exists()


def test_the_minimum_score_and_the_switch_hide_suggestions(trained):
    document = trained.open[0]
    trained.project.suggestion_min_score = 1.0
    trained.project.save()
    shown = suggestions_for(project=trained.project, document=document)
    assert all(item["score"] >= 1.0 for part in shown.values() for item in part)
    trained.project.suggestion_min_score = 0.0
    trained.project.save()
    Agent.objects.filter(project=trained.project).update(active=False)
    assert suggestions_for(project=trained.project, document=document) == {
        "entities": [], "relations": [], "sentiment": []}


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_a_broken_artifact_switches_its_agent_off_with_a_message_and_the_rest_go_on(trained,
                                                                                   damage):
    agent = Agent.objects.get(project=trained.project, name="crf")
    path = agent.version.artifact
    if damage == "missing":
        default_storage.delete(path)
    else:
        with default_storage.open(path, "rb") as handle:
            data = bytearray(handle.read())
        data[len(data) // 2] ^= 0xFF
        default_storage.delete(path)
        assert default_storage.save(path, ContentFile(bytes(data))) == path
    tally = suggestions_precompute(project_id=trained.project.pk)
    agent.refresh_from_db()
    assert not agent.active
    assert "Train it again" in agent.message
    assert "crf" in tally["off"]
    assert "dictionary" in tally["agents"]
    assert Suggestion.objects.filter(agent__name="dictionary").exists()


def test_training_goes_to_a_queue_of_its_own():
    assert route_training("annotation.tasks.train_task", (), {}, {}) == {
        "queue": "concord-training"}
    assert route_training("annotation.tasks.import_task", (), {}, {}) is None


def test_an_import_into_a_project_with_models_gets_suggestions_and_gold_schedules_training(
        trained, settings, django_capture_on_commit_callbacks):
    from tests.annotation.services.imports.test_jobs import run_import

    settings.CONCORD_TRAINING_DEBOUNCE = 0
    trained.project.train_every = 1
    trained.project.save()
    lines = [json.dumps({"text": f"Later {name} joined Initech and felt great ."})
             for name in ("Pia Holm", "Quinn Ford")]
    gold = {"text": "Rosa Vega joined Globex and felt sad .",
            "gold": {"entities": [{"id": "T1", "start": 0, "end": 9, "label": "PER"}],
                     "relations": [], "sentiment": "negative"}}
    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(trained, "\n".join([*lines, json.dumps(gold)]).encode(),
                         "more.jsonl")
    job.refresh_from_db()
    assert job.status == "succeeded", job.errors
    new = Document.objects.filter(project=trained.project, text__startswith="Later ")
    assert Suggestion.objects.filter(document__in=new, agent__name="dictionary").count() == 2
    runs = Job.objects.filter(project=trained.project, kind=JobKind.TRAIN).order_by("pk")
    assert runs.count() == 2
    assert runs.last().result["gold"] == 61


def test_under_uncertainty_order_next_hands_out_the_least_confident_document_first(trained):
    from annotation.services.assignments import assignment_next

    trained.project.order = "uncertainty"
    trained.project.save()
    suggestions_precompute(project_id=trained.project.pk)
    open_docs = Document.objects.filter(project=trained.project, status="new")
    ranked = sorted(open_docs, key=lambda d: (d.confidence, d.pk))
    assert all(d.rank == d.confidence for d in open_docs)
    given = assignment_next(project=trained.project, user=trained.users["annotator"])
    assert given.document_id == ranked[0].pk


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_batches_are_written_beside_the_next_ones_predictions(
        trained_world, monkeypatch):
    """On PostgreSQL the writes run in a thread on its own connection (inline elsewhere):
    every batch lands, a rerun replaces, and a failed write stops the run with its error."""
    from annotation.services.agents import suggesting

    writers, write = [], suggesting._write

    def watched(*args):
        writers.append(threading.current_thread().name)
        write(*args)

    monkeypatch.setattr(suggesting, "_write", watched)
    job = training_start(project=trained_world.project, by=None)
    train_task(job.pk)
    monkeypatch.setattr(suggesting, "BATCH", 2)  # 6 open documents: 3 batches
    Suggestion.objects.all().delete()  # the run train_task queued, on commit here
    tally = suggestions_precompute(project_id=trained_world.project.pk)
    stored = Suggestion.objects.filter(project=trained_world.project)
    opened = Document.objects.filter(project=trained_world.project, status="new")
    assert tally["documents"] == opened.count() == 6
    assert stored.count() == tally["suggestions"] > 0
    assert set(stored.values_list("document_id", flat=True)) == {d.pk for d in opened}
    assert all(d.confidence is not None for d in opened)
    assert set(writers) == ({"suggestions-writer"} if connection.vendor == "postgresql"
                            else {threading.current_thread().name})
    assert suggestions_precompute(project_id=trained_world.project.pk)["suggestions"] == \
        stored.count() == tally["suggestions"]

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(suggesting, "_write", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        suggestions_precompute(project_id=trained_world.project.pk)
    assert stored.count() == tally["suggestions"]  # nothing half-written


def _stored(project) -> list[tuple]:
    return sorted(Suggestion.objects.filter(project=project).values_list(
        "document_id", "agent__name", "kind", "label__name", "start", "end", "tail_start",
        "tail_end", "score"))


@pytest.mark.django_db(transaction=True)
def test_child_processes_predict_what_the_worker_would(trained_world, monkeypatch, settings):
    """With CONCORD_SUGGEST_PROCESSES 2 (and batches small enough for two per process) the
    batches are predicted in two child interpreters: the same suggestions and confidence as
    in-process; with fewer documents the run stays in-process."""
    from annotation.pure.assist import ensemble
    from annotation.services.agents import suggesting

    job = training_start(project=trained_world.project, by=None)
    train_task(job.pk)
    monkeypatch.setattr(suggesting, "BATCH", 1)  # 6 open documents: 6 batches
    opened = Document.objects.filter(project=trained_world.project, status="new")
    settings.CONCORD_SUGGEST_PROCESSES = 1
    suggestions_precompute(project_id=trained_world.project.pk)
    alone = _stored(trained_world.project), sorted(opened.values_list("pk", "confidence"))
    started = []
    original = ensemble.Predictor.__enter__

    def counted(self):
        entered = original(self)
        started.append(len(self.children))
        return entered

    monkeypatch.setattr(ensemble.Predictor, "__enter__", counted)
    Suggestion.objects.all().delete()
    opened.update(confidence=None)
    settings.CONCORD_SUGGEST_PROCESSES = 2
    tally = suggestions_precompute(project_id=trained_world.project.pk)
    assert started == [2]
    assert tally["documents"] == 6
    assert (_stored(trained_world.project),
            sorted(opened.values_list("pk", "confidence"))) == alone
    assert alone[0]
    monkeypatch.setattr(suggesting, "BATCH", 2)  # 3 batches: fewer than 2 per process
    suggestions_precompute(project_id=trained_world.project.pk)
    assert started == [2, 0]


def test_deleting_a_label_an_agent_or_a_document_takes_their_suggestions(trained):
    """Only the document is a database foreign key of a suggestion: the label and agent
    cascade through the ORM, as the services delete them."""
    from projects.services.labels import label_delete
    from tests.factories import LabelFactory

    spare = LabelFactory(project=trained.project, name="MISC")
    crf = Agent.objects.get(project=trained.project, name="crf")
    document = trained.open[0]
    Suggestion.objects.create(project=trained.project, document=document, agent=crf,
                              kind="entity", label=spare, start=0, end=3, score=0.9)
    by_crf = Suggestion.objects.filter(agent=crf).count()
    assert by_crf > 1
    total = Suggestion.objects.count()
    label_delete(label=spare)
    assert Suggestion.objects.count() == total - 1
    crf.delete()
    assert not Suggestion.objects.filter(agent_id=crf.pk).exists()
    assert Suggestion.objects.count() == total - by_crf
    left = Suggestion.objects.filter(document=document).count()
    assert left > 0
    document.delete()
    assert not Suggestion.objects.filter(document_id=document.pk).exists()
