"""The agreement scenario's in-process part for annotator reliability: Dawid-Skene and MACE,
each with its 200-replicate bootstrap, on 100,000 documents x 3 annotators of single-label
sentiment, as the agreement job runs them (annotation/pure/reliability/corpus.py). The
ratings are simulated with known accuracies, so the estimates are checked too."""

import time
from types import SimpleNamespace
from typing import Any

import numpy as np

ITEMS = 100_000
ACCURACY = (0.9, 0.8, 0.6)  # each annotator's chance of the true label, else uniform
LABELS = ("negative", "neutral", "positive")
TARGET_SECONDS = 10.0
SEED = 7


def ratings() -> np.ndarray:
    rng = np.random.default_rng(SEED)
    truth = rng.integers(0, len(LABELS), ITEMS)
    return np.stack([np.where(rng.random(ITEMS) < acc, truth,
                              rng.integers(0, len(LABELS), ITEMS)) for acc in ACCURACY])


def reliability_race() -> dict[str, Any]:
    from annotation.pure.reliability.corpus import sentiment_quality

    corpus = SimpleNamespace(sentiment=ratings(), sentiment_labels=list(LABELS),
                             annotators=["a", "b", "c"], doc_ids=list(range(ITEMS)))
    started = time.perf_counter()
    part, documents = sentiment_quality(corpus, multi_label=False)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    rows = {(r["model"], r["username"]): r for r in part["annotators"]}
    ds = [rows["dawid_skene", name]["reliability"] for name in ("a", "b", "c")]
    failures = []
    if seconds >= TARGET_SECONDS:
        failures.append(f"reliability took {seconds:.1f} s (target < {TARGET_SECONDS:.0f} s)")
    # the expected accuracy of an annotator right with p, else uniform over 3 labels
    expected = [p + (1 - p) / len(LABELS) for p in ACCURACY]
    if not np.allclose(ds, expected, atol=0.02):
        failures.append(f"Dawid-Skene accuracies {ds} are not the simulated {expected}")
    if len(documents) != ITEMS:
        failures.append(f"{len(documents)} posteriors for {ITEMS} documents")
    return {"items": ITEMS, "annotators": len(ACCURACY), "seconds": seconds,
            "replicates": part["replicates"], "dawid_skene": ds, "expected": expected,
            "mace": [rows["mace", name]["reliability"] for name in ("a", "b", "c")],
            "failures": failures}
