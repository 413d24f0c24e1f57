"""Models in the loop on the real parts: gold imported, a model trained by the Celery worker
(training has its own queue, which the test worker serves too), suggestions computed in the
background, and an annotator's `next` carrying them."""

import json
import random
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.annotation.services.agents.conftest import gold_content
from tests.conftest import api_client_for
from tests.end_to_end.test_agreement import wait

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
UNSEEN = ["Kim Park", "Lena Roth", "Mo Chen"]


def upload(world, client):
    rng, lines, seen = random.Random(3), [], set()
    while len(lines) < 60:  # distinct texts: an import drops exact duplicates
        text, content = gold_content(rng)
        if text not in seen:
            seen.add(text)
            lines.append({"id": f"gold-{len(lines)}", "text": text, "gold": content})
    lines += [{"id": f"open-{i}", "text": f"Yesterday {name} joined Initech and felt great ."}
              for i, name in enumerate(UNSEEN)]
    payload = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    response = client.post(reverse("api:imports", kwargs={"project_id": world.project.pk}),
                           {"file": SimpleUploadedFile("gold.jsonl", payload)},
                           format="multipart")
    assert response.status_code == 202, response.content
    return wait(client, response.json()["id"])


def test_a_trained_model_s_suggestions_reach_the_annotator(world, celery_worker):
    manager = api_client_for(world.users["manager"])
    assert upload(world, manager)["result"]["gold"] == 60
    project = {"project_id": world.project.pk}
    trained = manager.post(reverse("api:agent-train", kwargs={**project, "name": "crf"}))
    assert trained.status_code == 202
    job = wait(manager, trained.json()["id"], seconds=180)
    assert job["kind"] == "train"
    assert job["result"]["agents"]["crf"]["active"] is True
    listed = {a["name"]: a for a in manager.get(reverse("api:agents", kwargs=project)).json()}
    assert listed["crf"]["version"] == "1"
    assert listed["crf"]["metrics"]["trained_on"] == 60
    assert set(listed["crf"]["metrics"]["per_label"]) == {"PER", "ORG"}

    annotator = api_client_for(world.users["annotator"])
    deadline = time.monotonic() + 60
    while True:  # the suggestion run was queued when the version was switched on
        answer = annotator.get(reverse("api:next", kwargs=project))
        assert answer.status_code == 200
        predictions = answer.json()["predictions"]
        if predictions and predictions["entities"]:
            break
        assert time.monotonic() < deadline, "no suggestions arrived"
        time.sleep(0.5)
    document = answer.json()["document"]
    assert all(e["agent"] == "crf" and 0 <= e["score"] <= 1 and e["model_version"] == "1"
               for e in predictions["entities"])
    mine = annotator.get(reverse("api:suggestions", kwargs={**project,
                                                            "document_id": document["id"]}))
    assert mine.json()["entities"] == predictions["entities"]

    reviewer = api_client_for(world.users["reviewer"])
    unseen = [row for row in reviewer.get(reverse("api:documents", kwargs=project),
                                          {"status": "new"}).json()["results"]
              if row["external_id"].startswith("open-")]
    assert len(unseen) == len(UNSEEN)
    people = set()
    for row in unseen:  # names the model never saw in gold, found by their context
        got = reviewer.get(reverse("api:suggestions", kwargs={**project,
                                                              "document_id": row["id"]}))
        people |= {e["text"] for e in got.json()["entities"] if e["label"] == "PER"}
    assert people & set(UNSEEN), people
