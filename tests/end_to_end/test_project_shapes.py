"""Every project shape, through the whole pipeline, the way its users drive it.

Shapes come from tests/end_to_end/shapes.py: two pairwise covering walks over tasks, span
overlap, sentiment scale (nominal, ordinal, multi-label), numeric values, k and the number of
labels of each kind (zero included), each with documents nobody labelled, documents whose
annotations are empty, gold only and annotations imported from elsewhere; then each task set
with no documents at all. On each: configure through the API, import, next/save/submit by
k annotators, the agreement job, review and gold, every export format read back by its own
client, and every page of the project answering. Bad shapes get a 400 naming the problem
when they are configured or when labeling would start; no job ever fails.

On PostgreSQL with REDIS_URL the jobs run on the real Celery worker; on SQLite in-process.
"""

import io
import json
import time

import pytest
from django.conf import settings
from django.urls import reverse

from annotation.pure.tokens import tokenize
from projects.models import Job, JobStatus
from tests.conftest import api_client_for, page_client_for
from tests.end_to_end.readers import READERS
from tests.end_to_end.shapes import BAD_TASKS, Shape, shapes
from tests.factories import UserFactory

TEXTS = ["Alice joined 阿里巴巴 in 2019 🎉", "مرحبا Bob met 山田 in 東京 👩‍👩‍👧",
         "Carol founded ACME in 2001 .", "Dave 😀 visited Paris and 北京"]
SHAPES = shapes()
PAGES = ["detail", "settings", "guidelines", "labels", "members", "audit", "documents",
         "import", "agreement", "balance", "exports", "review", "progress", "gold-checks"]


@pytest.fixture
def jobs_run(request):
    """The real worker where there is one (PostgreSQL and Redis), sharing the media
    directory with it; in-process otherwise, with this test's own media directory."""
    db = settings.DATABASES["default"]["ENGINE"]
    if settings.REDIS_URL and not db.endswith("sqlite3"):
        request.getfixturevalue("celery_worker")
    else:
        request.getfixturevalue("media")


def finish(client, job: dict) -> dict:
    deadline = time.monotonic() + 120
    while job["status"] not in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
        job = client.get(f"/api/v1/jobs/{job['id']}/").json()
    assert job["status"] == JobStatus.SUCCEEDED, job
    return job


class Run:
    """One shape's project, its people and what it was given."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        tag = str(SHAPES.index(shape))
        self.manager = UserFactory(username=f"m{tag}", is_staff=True)
        self.api = api_client_for(self.manager)
        self.annotators = [UserFactory(username=f"a{tag}-{i}") for i in range(shape.k)]
        self.reviewer = UserFactory(username=f"r{tag}")
        self.consumer = UserFactory(username=f"c{tag}")
        self.labels: dict[str, list[str]] = {"entity": [], "relation": [], "sentiment": []}
        self.pk = 0

    def url(self, tail: str = "") -> str:
        return f"/api/v1/projects/{self.pk}/{tail}"

    def configure(self) -> None:
        s = self.shape
        answer = self.api.post("/api/v1/projects/", {
            "name": s.id, "tasks": list(s.tasks), "overlap": s.k,
            "allow_overlapping_spans": s.overlap_spans,
            "sentiment_multi_label": s.scale == "multi",
            "sentiment_scale": "ordinal" if s.scale == "ordinal" else "nominal"}, format="json")
        assert answer.status_code == 201, answer.json()
        self.pk = answer.json()["id"]
        for kind in ("entity", "relation", "sentiment"):
            for i in range(s.labels_wanted[kind]):
                body = {"kind": kind, "name": f"{kind[:3].upper()}{i}",
                        "value": float(i) if kind == "sentiment" and s.numeric else None}
                answer = self.api.post(self.url("labels/"), body, format="json")
                if kind == "relation" and not self.labels["entity"]:
                    assert answer.status_code == 400, answer.json()  # nothing to join
                    assert answer.json()["errors"][0]["field"] == "kind"
                    continue
                assert answer.status_code == 201, answer.json()
                self.labels[kind].append(body["name"])
        for user, role in [*((a, "annotator") for a in self.annotators),
                           (self.reviewer, "reviewer"), (self.consumer, "consumer")]:
            answer = self.api.post(self.url("members/"), {"username": user.username,
                                                         "role": role}, format="json")
            assert answer.status_code == 201, answer.json()

    def content(self, text: str, who: int) -> dict:
        """A labelling that varies by annotator: the same, a label off, or empty."""
        s, ents, rels, sents = (self.shape, self.labels["entity"], self.labels["relation"],
                                self.labels["sentiment"])
        if who == 2:
            return {"entities": [], "relations": [], "sentiment": None}
        entities = []
        if "ner" in s.tasks and ents:
            tokens = tokenize(text)[:3]
            entities = [{"id": f"T{i + 1}", "start": a, "end": b,
                         "label": ents[(i + who) % len(ents)]} for i, (a, b) in enumerate(tokens)]
            if s.overlap_spans:
                entities.append({"id": "T9", "start": tokens[0][0], "end": tokens[1][1],
                                 "label": ents[0]})
        relations = ([{"head": "T1", "tail": "T2", "label": rels[who % len(rels)]}]
                     if "relations" in s.tasks and rels and len(entities) >= 2 else [])
        sentiment = None
        if "sentiment" in s.tasks and sents:
            sentiment = sents[:1 + who] if s.scale == "multi" else sents[who % len(sents)]
        return {"entities": entities, "relations": relations, "sentiment": sentiment}

    def records(self) -> list[dict]:
        if self.shape.documents == "none":
            return []
        unlabelled = [{"id": "open-0", "text": TEXTS[0]}, {"id": "open-1", "text": TEXTS[1]}]
        empty = {"id": "empty", "text": TEXTS[2], "annotations": [
            {"annotator": f"ext{i}", "entities": [], "relations": [], "sentiment": None}
            for i in range(self.shape.k)]}
        gold = {"id": "gold", "text": TEXTS[3], "gold": self.content(TEXTS[3], 0)}
        imported = {"id": "imported", "text": TEXTS[0] + " !", "annotations": [
            {"annotator": f"ext{i}", **self.content(TEXTS[0] + " !", i)}
            for i in range(self.shape.k)]}
        return [*unlabelled, empty, gold, imported]

    def load(self) -> dict[str, str]:
        records = self.records()
        if records:
            body = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
            upload = io.BytesIO(body)
            upload.name = "shape.jsonl"
            answer = self.api.post(self.url("imports/"), {"file": upload}, format="multipart")
            assert answer.status_code == 202, answer.json()
            report = finish(self.api, answer.json())["result"]
            assert (report["read"], report["imported"]) == (len(records), len(records)), report
        return {r["id"]: r["text"] for r in records}

    def label(self) -> int:
        """Every annotator takes documents until none is left: a draft, then a submission."""
        submitted = 0
        for who, annotator in enumerate(self.annotators):
            client = api_client_for(annotator)
            while (answer := client.get(self.url("next/"))).status_code == 200:
                doc = answer.json()["document"]
                path = self.url(f"documents/{doc['id']}/annotation/")
                content = self.content(doc["text"], who)
                version = answer.json()["annotation"]["version"]
                for status in ("draft", "submitted"):
                    saved = client.put(path, {**content, "status": status, "version": version,
                                              "seconds_spent": 1.5}, format="json")
                    assert saved.status_code == 200, saved.json()
                    version = saved.json()["version"]
                submitted += 1
            assert answer.status_code == 204, answer.content
        return submitted


def test_the_walk_covers_every_task_set_and_bad_shapes():
    assert {s.tasks for s in SHAPES} >= {("ner",), ("ner", "relations")}
    assert any(s.missing() for s in SHAPES)
    assert any(not s.missing() for s in SHAPES)
    assert {s.k for s in SHAPES if not s.missing() and s.documents == "mixed"} == {1, 2, 3}
    assert {s.scale for s in SHAPES if not s.missing() and "sentiment" in s.tasks} == {
        "nominal", "ordinal", "multi"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tasks", BAD_TASKS, ids="+".join)
def test_relations_without_ner_is_refused_when_configured(tasks):
    client = api_client_for(UserFactory(is_staff=True))
    answer = client.post("/api/v1/projects/", {"name": "x", "tasks": list(tasks)},
                         format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [{"field": "tasks", "message": answer.json()["detail"]}]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shape", SHAPES, ids=[s.id for s in SHAPES])
def test_every_shape_runs_the_whole_pipeline(shape, jobs_run, tmp_path):
    run = Run(shape)
    run.configure()
    texts = run.load()

    # Labeling: refused with a 400 naming the missing labels, or done by all k annotators.
    if shape.missing():
        answer = api_client_for(run.annotators[0]).get(run.url("next/"))
        assert answer.status_code == 400
        assert len(answer.json()["errors"]) == len(shape.missing())
        page = page_client_for(run.annotators[0]).get(reverse("projects:label", args=[run.pk]))
        assert page.status_code == 400
    else:
        assert run.label() == (2 * shape.k if texts else 0)  # the two open documents

    # Agreement: the job succeeds; a section for each task run, null for the others.
    job = run.api.post(run.url("agreement/"))
    assert job.status_code == 202
    finish(run.api, job.json())
    report = run.api.get(run.url("agreement/")).json()
    for task, section in (("ner", "entities"), ("relations", "relations"),
                          ("sentiment", "sentiment")):
        assert (report[section] is None) == (task not in shape.tasks), section
    json.dumps(report, allow_nan=False)

    # Review: the reviewer adjudicates an annotated document into gold.
    reviewer = api_client_for(run.reviewer)
    annotated = reviewer.get(run.url("documents/?status=annotated")).json()["results"]
    for doc in annotated[:1]:
        theirs = reviewer.get(run.url(f"documents/{doc['id']}/annotations/")).json()
        assert len(theirs) == shape.k
        gold = run.url(f"documents/{doc['id']}/gold/")
        version = reviewer.get(gold).json()["version"]
        content = {k: theirs[0][k] for k in ("entities", "relations", "sentiment")}
        saved = reviewer.put(gold, {**content, "version": version}, format="json")
        assert saved.status_code == 200, saved.json()
    reviewed = {d["external_id"] for d in
                reviewer.get(run.url("documents/?status=reviewed")).json()["results"]}
    assert ("gold" in reviewed) == bool(texts)

    # Exports: every format as a dataset version, read back by its own client.
    consumer = api_client_for(run.consumer)
    labels = set(run.labels["entity"])
    for fmt, read in READERS.items():
        answer = consumer.post(run.url("exports/"), {"format": fmt, "scope": "gold",
                                                     "name": f"v-{fmt}"}, format="json")
        assert answer.status_code == 202, answer.json()
        version = finish(consumer, answer.json())["result"]
        data = b"".join(consumer.get(run.url(f"exports/{version['version']}/download/")))
        found = read(data, texts=texts, labels=labels, tmp_path=tmp_path / fmt)
        if fmt in ("jsonl", "csv"):
            assert sorted(found) == sorted(reviewed), fmt
        elif fmt in ("hf", "spacy", "conll", "brat"):
            assert len(found) == len(reviewed), fmt

    # Pages: every page of the project answers its manager.
    pages = page_client_for(run.manager)
    for name in PAGES:
        assert pages.get(reverse(f"projects:{name}", args=[run.pk])).status_code == 200, name
    for doc in run.api.get(run.url("documents/")).json()["results"]:
        page = reverse("projects:adjudicate", args=[run.pk, doc["id"]])
        assert pages.get(page).status_code == 200, doc
    assert not Job.objects.filter(project_id=run.pk).exclude(status=JobStatus.SUCCEEDED)
