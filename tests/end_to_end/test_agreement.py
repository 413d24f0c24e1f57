"""Annotations made elsewhere, imported, then agreement computed by a real Celery worker on
PostgreSQL and Redis, and read through the API; checked against reference libraries."""

import json
import random
import time

import krippendorff
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from sklearn.metrics import cohen_kappa_score

from tests.conftest import api_client_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ANNOTATORS = ["ann-a", "ann-b", "ann-c"]
SENTIMENT = ["positive", "negative"]
TEXT = "🎉 Alice joined 阿里巴巴 in 2019, said Bob."


def records(n=60, seed=7):
    rng = random.Random(seed)
    out, codes = [], np.full((3, n), np.nan)
    for i in range(n):
        truth = rng.randrange(2)
        anns = []
        for a, name in enumerate(ANNOTATORS):
            if rng.random() < 0.1:  # this annotator did not label this document
                continue
            label = truth if rng.random() < 0.8 else 1 - truth
            codes[a, i] = label
            entities = [{"id": "T1", "start": 2, "end": 7, "label": "PER"}]
            if rng.random() < 0.7:
                entities.append({"id": "T2", "start": 15, "end": 19, "label": "ORG"})
            relations = ([{"head": "T1", "tail": "T2", "label": "works_for"}]
                         if len(entities) == 2 else [])
            anns.append({"annotator": name, "entities": entities, "relations": relations,
                         "sentiment": SENTIMENT[label]})
        out.append({"id": f"e2e-{i}", "text": f"{TEXT} ({i})", "annotations": anns})
    return out, codes


def wait(client, job_id, seconds=90):
    url = reverse("api:job", kwargs={"job_id": job_id})
    deadline = time.monotonic() + seconds
    while (job := client.get(url).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    assert job["status"] == "succeeded", job
    return job


def test_imported_annotations_give_the_reference_agreement(world, celery_worker):
    data, codes = records()
    manager = api_client_for(world.users["manager"])
    payload = "\n".join(json.dumps(r, ensure_ascii=False) for r in data).encode()
    project = {"project_id": world.project.pk}
    imported = manager.post(reverse("api:imports", kwargs=project),
                            {"file": SimpleUploadedFile("three.jsonl", payload)},
                            format="multipart")
    assert imported.status_code == 202
    assert wait(manager, imported.json()["id"])["result"]["annotations"] == int(
        np.sum(~np.isnan(codes)))

    consumer = api_client_for(world.users["consumer"])
    assert consumer.post(reverse("api:agreement", kwargs=project)).status_code == 403
    started = api_client_for(world.users["reviewer"]).post(reverse("api:agreement", kwargs=project))
    assert started.status_code == 202
    wait(consumer, started.json()["id"])  # consumers may follow the run they read
    report = consumer.get(reverse("api:agreement", kwargs=project)).json()

    assert report["computed_at"]
    assert report["documents"] == len(data)
    # Nobody in the file is a member: imported identities, marked so (docs/imports.md).
    assert sorted(report["annotators"]) == [f"{name} (imported)" for name in ANNOTATORS]
    alpha = krippendorff.alpha(reliability_data=codes, level_of_measurement="nominal")
    assert report["sentiment"]["krippendorff_alpha"]["nominal"] == pytest.approx(alpha, abs=1e-9)
    pairs = {(p["a"], p["b"]): p for p in report["sentiment"]["cohen_kappa"]["pairs"]}
    both = ~np.isnan(codes[0]) & ~np.isnan(codes[1])
    expected = cohen_kappa_score(codes[0][both], codes[1][both])
    pair = pairs[("ann-a (imported)", "ann-b (imported)")]
    assert pair["value"] == pytest.approx(expected, abs=1e-9)
    assert pair["items"] == int(both.sum())
    assert report["entities"]["per_label"]["PER"]["f1_exact"] == pytest.approx(1.0)
    assert 0 < report["entities"]["f1_exact"]["mean"] < 1
