"""Training runs as jobs: versions with cross-validated metrics, switched on only above the
threshold, refusals that say why, the previous version kept when a run fails."""

import pytest
from django.core.files.storage import default_storage

from annotation.models import Agent, AgentVersion
from annotation.services.agents import training
from annotation.services.agents.training import training_due, training_start
from annotation.tasks import train_task
from projects.models import Job, JobKind, JobStatus
from tests.annotation.services.agents.conftest import add_gold

pytestmark = pytest.mark.django_db


def run_training(world, agents=None):
    job = training_start(project=world.project, by=world.users["manager"], agents=agents)
    train_task(job.pk)  # the task, in process: what the worker runs
    job.refresh_from_db()
    return job


def test_a_run_trains_every_model_the_project_calls_for_and_switches_on_those_above_the_threshold(
        trained_world):
    job = run_training(trained_world)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert set(job.result["agents"]) == {"dictionary", "crf", "sentiment", "relation"}
    assert job.result["gold"] == 60
    for agent in Agent.objects.filter(project=trained_world.project, kind__in=training.MODULES):
        version = agent.versions.get()
        assert version.trained_on == 60
        assert len(version.training_sha256) == 64
        assert 0 <= version.metrics["f1"] <= 1
        assert version.metrics["folds"] >= 2
        assert version.passed == (version.metrics["f1"] >= trained_world.project.activation_f1)
        assert agent.version_id == (version.pk if version.passed else None)
        assert default_storage.exists(version.artifact)
    crf = AgentVersion.objects.get(agent__name="crf")
    assert set(crf.metrics["per_label"]) == {"PER", "ORG"}
    assert crf.passed, crf.reason  # names follow a pattern a sequence model learns
    sentiment = AgentVersion.objects.get(agent__name="sentiment")
    assert set(sentiment.metrics["per_label"]) == {"positive", "negative"}
    assert sentiment.passed


def test_too_little_gold_is_refused_with_the_reason_and_nothing_is_switched_on(world, media):
    add_gold(world.project, world.users["reviewer"], 3)
    job = run_training(world)
    assert job.status == JobStatus.SUCCEEDED
    for name, result in job.result["agents"].items():
        assert result["active"] is False, name
        assert result["reason"], name
    assert not Agent.objects.filter(project=world.project, version__isnull=False).exists()
    assert "3" in job.result["agents"]["crf"]["reason"]


def test_a_threshold_above_the_model_s_f1_keeps_the_version_off(trained_world):
    trained_world.project.activation_f1 = 1.0
    trained_world.project.save()
    job = run_training(trained_world, agents=["sentiment"])
    version = AgentVersion.objects.get(agent__name="sentiment")
    if version.metrics["f1"] < 1.0:
        assert not version.passed
        assert "below the threshold" in version.reason
        assert Agent.objects.get(name="sentiment").version is None
    assert job.result["agents"]["sentiment"]["active"] == version.passed


def test_a_failed_run_leaves_the_previous_version_in_use(trained_world, monkeypatch):
    run_training(trained_world, agents=["crf"])
    first = Agent.objects.get(project=trained_world.project, name="crf").version
    assert first is not None

    def broken(kind):
        raise MemoryError("killed")  # what a worker killed mid-run leaves: no new version

    monkeypatch.setattr(training, "model_module", broken)
    with pytest.raises(MemoryError):
        run_training(trained_world, agents=["crf"])
    job = Job.objects.filter(kind=JobKind.TRAIN).first()
    assert job.status == JobStatus.FAILED
    agent = Agent.objects.get(project=trained_world.project, name="crf")
    assert agent.version == first
    assert agent.versions.count() == 1


def test_one_run_at_a_time_per_project(trained_world):
    first = training_start(project=trained_world.project, by=None)
    second = training_start(project=trained_world.project, by=None)
    assert first.pk == second.pk


def test_an_unknown_or_foreign_agent_is_refused(world):
    from projects.errors import ServiceError

    world.project.tasks = ["sentiment"]
    world.project.save()
    with pytest.raises(ServiceError, match="not a model this project trains"):
        training_start(project=world.project, by=None, agents=["crf"])


def test_training_is_due_after_train_every_new_gold_documents(world, media):
    world.project.train_every = 4
    world.project.save()
    add_gold(world.project, world.users["reviewer"], 3)
    assert not training_due(project=world.project)
    add_gold(world.project, world.users["reviewer"], 1, seed=1)
    assert training_due(project=world.project)
    run_training(world)  # refused (4 documents), but the run counts them as seen
    assert not training_due(project=world.project)


def test_gold_saves_schedule_one_debounced_check_that_starts_a_run(world, media, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.CONCORD_TRAINING_DEBOUNCE = 0
    world.project.train_every = 3
    world.project.save()
    with django_capture_on_commit_callbacks(execute=True):
        add_gold(world.project, world.users["reviewer"], 3)
    jobs = Job.objects.filter(project=world.project, kind=JobKind.TRAIN)
    assert jobs.count() == 1  # eager: the check ran, found 3 new gold documents, trained


def test_automatic_training_is_off_with_a_negative_debounce(world, media, settings,
                                                            django_capture_on_commit_callbacks):
    settings.CONCORD_TRAINING_DEBOUNCE = -1
    world.project.train_every = 1
    world.project.save()
    with django_capture_on_commit_callbacks(execute=True):
        add_gold(world.project, world.users["reviewer"], 2)
    assert not Job.objects.filter(project=world.project, kind=JobKind.TRAIN).exists()


def test_the_models_settings_are_project_settings_validated_by_the_service(world):
    from projects.services.projects import project_update

    project_update(project=world.project, suggestion_min_score=0.6, train_every=10,
                   activation_f1=0.7, relation_min_gold=5)
    world.project.refresh_from_db()
    assert (world.project.suggestion_min_score, world.project.train_every,
            world.project.activation_f1, world.project.relation_min_gold) == (0.6, 10, 0.7, 5)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        project_update(project=world.project, activation_f1=1.5)
    assert "activation_f1" in caught.value.message_dict


def test_old_model_files_are_swept_and_the_ones_in_use_kept(world, media, monkeypatch):
    """Files of versions older than the newest KEEP_NEWEST go, but the switched-on
    version's; a file no version names goes once an hour old (a killed run's)."""
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from annotation.services.agents import artifacts
    from annotation.services.agents.registry import agent_ensure

    agent = agent_ensure(project=world.project, name="crf")
    versions = []
    for number in range(1, 7):
        name = default_storage.save(f"agents/{world.project.pk}/crf/{number}-x.pkl",
                                    ContentFile(b"model"))
        versions.append(AgentVersion.objects.create(
            agent=agent, number=number, trained_on=10, training_seconds=1.0, metrics={},
            passed=True, artifact=name, artifact_sha256="0" * 64))
    agent.version = versions[1]  # v2 is switched on (newer ones failed, say)
    agent.save()
    orphan = default_storage.save(f"agents/{world.project.pk}/crf/7-y.pkl", ContentFile(b"m"))
    fresh = default_storage.save(f"agents/{world.project.pk}/crf/8-z.pkl", ContentFile(b"m"))
    old = time.time() - 2 * 3600
    os.utime(default_storage.path(orphan), (old, old))
    other = default_storage.save("agents/0/crf/1-other.pkl", ContentFile(b"m"))

    assert artifacts.artifacts_sweep(agent_id=agent.pk) == 3  # v1, v3 and the orphan
    kept = {v.number: v.artifact for v in AgentVersion.objects.filter(agent=agent)}
    assert {n for n, name in kept.items() if name} == {2, 4, 5, 6}
    for version in versions:
        assert default_storage.exists(version.artifact) == (version.number in {2, 4, 5, 6})
    assert not default_storage.exists(orphan)
    assert default_storage.exists(fresh)  # young: perhaps a run still committing
    assert default_storage.exists(other)  # another project's
    assert artifacts.artifacts_sweep(agent_id=agent.pk) == 0
    assert default_storage.open(versions[1].artifact).read() == b"model"
