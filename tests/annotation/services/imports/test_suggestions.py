"""Imported predictions become suggestions (DESIGN.md, "Agents and suggestions"): of the
agent they name (``imported`` when none), with their model version and score; never
annotations. Exported, they import again as the same suggestions."""

import json

from annotation.models import Agent, AgentKind, Annotation, Document, Suggestion
from annotation.services.exports import export_stream
from projects.models import Label
from tests.factories import ProjectFactory

TEXT = "Alice joined 阿里巴巴 in 2019."
A, B = TEXT.index("Alice"), TEXT.index("阿里巴巴")


def jsonl(*records) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()


def stored(project, **filters) -> list[tuple]:
    """The project's suggestions, comparable across projects."""
    rows = (Suggestion.objects.filter(project=project, **filters)
            .order_by("document__external_id", "kind", "start", "end", "agent__name", "label__name")
            .values_list("document__external_id", "kind", "label__name", "start", "end",
                         "tail_start", "tail_end", "agent__name", "agent__kind", "model_version",
                         "score"))
    return list(rows)


PREDICTED = {"id": "d1", "text": TEXT, "predictions": {
    "entities": [{"id": "p", "start": A, "end": A + 5, "label": "PER", "agent": "ner-v",
                  "model_version": "2024-06", "score": 0.75},
                 {"id": "o", "start": B, "end": B + 4, "label": "ORG"}],
    "relations": [{"head": "p", "tail": "o", "label": "works_for", "score": 0.5}],
    "sentiment": [{"label": "positive", "agent": "senti", "score": 0.25}, "negative"]}}


def test_predictions_become_suggestions_of_their_agents(world, imports):
    crf = Agent.objects.create(project=world.project, name="ner-v", kind=AgentKind.CRF)
    job = imports(jsonl(PREDICTED))
    assert job.status == "succeeded", job.errors
    assert job.result["predictions"] == 1
    assert not Annotation.objects.filter(document__external_id="d1").exists()
    assert stored(world.project) == [
        ("d1", "entity", "PER", A, A + 5, None, None, "ner-v", "crf", "2024-06", 0.75),
        ("d1", "entity", "ORG", B, B + 4, None, None, "imported", "imported", "", 1.0),
        ("d1", "relation", "works_for", A, A + 5, B, B + 4, "imported", "imported", "", 0.5),
        ("d1", "sentiment", "negative", None, None, None, None, "imported", "imported", "", 1.0),
        ("d1", "sentiment", "positive", None, None, None, None, "senti", "imported", "", 0.25)]
    assert Agent.objects.get(pk=crf.pk).kind == AgentKind.CRF  # an existing agent is kept
    assert Document.objects.get(external_id="d1").status == "new"  # suggestions count nowhere


def test_a_bad_score_or_agent_names_line_and_field_and_stores_nothing(world, imports):
    before = (Document.objects.count(), Suggestion.objects.count(), Agent.objects.count())
    bad = {"text": "Bob", "predictions": {"entities": [
        {"start": 0, "end": 3, "label": "PER", "agent": "fine"},
        {"start": 0, "end": 3, "label": "PER", "score": 1.01}]}}
    job = imports(jsonl(PREDICTED, bad))
    assert job.status == "failed"
    assert [(e["line"], e["field"]) for e in job.errors] == [(2, "predictions.entities[1].score")]
    unnamed = {"text": "Bob", "predictions": {"sentiment": [{"label": "positive", "agent": " "}]}}
    job = imports(jsonl(PREDICTED, unnamed))
    assert [(e["line"], e["field"]) for e in job.errors] == [(2, "predictions.sentiment[0].agent")]
    assert (Document.objects.count(), Suggestion.objects.count(), Agent.objects.count()) == before


def test_an_unknown_label_in_predictions_is_a_problem_or_created(world, imports):
    record = {"text": "Bob", "predictions": {"entities": [
        {"start": 0, "end": 3, "label": "GPE", "agent": "geo"}]}}
    failed = imports(jsonl(record))
    assert [(e["line"], e["field"]) for e in failed.errors] \
        == [(1, "predictions.entities[0].label")]
    assert not Agent.objects.filter(project=world.project, name="geo").exists()
    job = imports(jsonl(record), create_labels="true")
    assert job.status == "succeeded", job.errors
    gpe = Label.objects.get(project=world.project, kind="entity", name="GPE")
    assert Suggestion.objects.get(project=world.project, agent__name="geo").label == gpe


def test_predictions_may_overlap_and_hold_a_sentiment_per_agent(world, imports):
    record = {"text": TEXT, "predictions": {
        "entities": [{"start": A, "end": A + 5, "label": "PER", "agent": "a"},
                     {"start": A, "end": A + 5, "label": "ORG", "agent": "b"}],
        "sentiment": [{"label": "positive", "agent": "a"}, {"label": "negative", "agent": "b"}]}}
    job = imports(jsonl(record))
    assert job.status == "succeeded", job.errors
    assert Suggestion.objects.filter(project=world.project).count() == 4


def test_a_merge_replaces_the_suggestions_of_the_same_agent_only(world, imports):
    assert imports(jsonl(PREDICTED)).status == "succeeded"
    again = {"text": TEXT, "predictions": {"entities": [
        {"start": B, "end": B + 4, "label": "ORG", "agent": "ner-v", "model_version": "2025"}]}}
    job = imports(jsonl(again, again), duplicates="merge")
    assert job.status == "succeeded", job.errors
    assert job.result["merged"] == 2
    assert [row[1:] for row in stored(world.project, agent__name="ner-v")] == [
        ("entity", "ORG", B, B + 4, None, None, "ner-v", "imported", "2025", 1.0)]
    assert len(stored(world.project, agent__name="imported")) == 3  # untouched
    assert len(stored(world.project, agent__name="senti")) == 1


def test_copies_in_one_file_merge_their_suggestions_a_later_agent_wins(world, imports):
    first = {"text": "Bob and Alice", "predictions": {"entities": [
        {"start": 0, "end": 3, "label": "PER", "agent": "m", "score": 0.1}]}}
    later = {"text": "Bob and Alice", "predictions": {"entities": [
        {"start": 8, "end": 13, "label": "PER", "agent": "m", "score": 0.9}],
        "sentiment": "positive"}}
    job = imports(jsonl(first, later), duplicates="merge")
    assert job.status == "succeeded", job.errors
    rows = Suggestion.objects.filter(project=world.project).order_by("kind")
    assert [(r.kind, r.start, r.agent.name, r.score) for r in rows] == [
        ("entity", 8, "m", 0.9), ("sentiment", None, "imported", 1.0)]


def test_label_studio_predictions_keep_model_version_and_score(world, imports):
    task = {"id": 7, "data": {"text": "Alice met Bob"}, "predictions": [{
        "model_version": "ls-1", "score": 0.5, "result": [
            {"id": "a", "type": "labels", "score": 0.9,
             "value": {"start": 0, "end": 5, "text": "Alice", "labels": ["PER"]}},
            {"id": "b", "type": "labels",
             "value": {"start": 10, "end": 13, "text": "Bob", "labels": ["PER"]}}]}]}
    job = imports(json.dumps([task]).encode(), "tasks.json", format="label-studio")
    assert job.status == "succeeded", job.errors
    assert [row[2:] for row in stored(world.project)] == [
        ("PER", 0, 5, None, None, "imported", "imported", "ls-1", 0.9),
        ("PER", 10, 13, None, None, "imported", "imported", "ls-1", 0.5)]


def _export(project) -> list[dict]:
    _, chunks = export_stream(project=project, fmt="jsonl", scope="all")
    return [json.loads(line) for line in b"".join(chunks).splitlines() if line.strip()]


def test_exported_predictions_import_again_as_the_same_suggestions(world, imports):
    job = imports(jsonl(PREDICTED, {"id": "d2", "text": "Nothing predicted here."}))
    assert job.status == "succeeded", job.errors
    exported = [r for r in _export(world.project) if r["id"] in ("d1", "d2")]
    by_id = {r["id"]: r for r in exported}
    assert "predictions" not in by_id["d2"]
    assert by_id["d1"]["predictions"]["entities"][0] == {
        "id": "T1", "start": A, "end": A + 5, "label": "PER", "text": "Alice", "agent": "ner-v",
        "model_version": "2024-06", "score": 0.75}
    assert by_id["d1"]["predictions"]["relations"] == [
        {"head": "T1", "tail": "T2", "label": "works_for", "agent": "imported",
         "model_version": "", "score": 0.5}]
    assert {s["label"]: s["agent"] for s in by_id["d1"]["predictions"]["sentiment"]} == {
        "positive": "senti", "negative": "imported"}
    twin = ProjectFactory(name="Twin", tasks=world.project.tasks)
    for label in world.project.labels.order_by("kind", "id"):
        Label.objects.create(project=twin, kind=label.kind, name=label.name)
    twin.memberships.create(user=world.users["manager"], role="manager")
    world.project = twin
    assert imports(jsonl(*exported)).status == "succeeded"
    mine = [row for row in stored(twin) if row[0] in ("d1", "d2")]
    theirs = stored(Document.objects.get(external_id="d1", project__name="News").project)
    # the agents are imported ones in the twin, as the file names them
    assert [row[:8] + row[9:] for row in mine] == [row[:8] + row[9:] for row in theirs]
