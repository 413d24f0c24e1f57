"""The agreement corpus's sentiment ratings through Dawid-Skene and MACE: each annotator's
reliability with its interval, and each document's posterior over the labels.

Only single-label sentiment is modelled: a multi-label project's ratings are sets, which
these models do not take (each would be a class of its own), so the part says so instead.
An ordinal scale is modelled as nominal classes (the confusion matrices are free to put
mass near the diagonal, but nothing makes them).
"""

from typing import Any

import numpy as np

from annotation.pure.agreement.inputs import Corpus
from annotation.pure.reliability.dawid_skene import dawid_skene
from annotation.pure.reliability.report import Method, reliability

MODELS: tuple[Method, ...] = ("dawid_skene", "mace")
REPLICATES = 200  # bootstrap replicates: each costs the rating patterns, not the documents
POSTERIOR_DIGITS = 4



def sentiment_quality(corpus: Corpus, *, multi_label: bool, seed: int = 0
                      ) -> tuple[dict[str, Any], list[tuple[Any, dict[str, float]]]]:
    """(the report's part, [(document id, {label: posterior})] for each rated document)."""
    if not corpus.sentiment_labels:
        return {"annotators": [], "reason": "the project has no sentiment labels"}, []
    if multi_label:
        return {"annotators": [], "reason": "multi-label sentiment is not modelled: "
                "Dawid-Skene and MACE take one label per rating"}, []
    codes = np.asarray(corpus.sentiment, dtype=np.int64)
    k = len(corpus.sentiment_labels)
    rated = (codes >= 0).any(axis=0)
    replicates = REPLICATES
    rows: list[dict[str, Any]] = []
    reason = None
    for method in MODELS:
        fitted = reliability(codes, k, method=method, replicates=replicates, seed=seed)
        reason = reason or fitted.reason
        rows += [{"username": corpus.annotators[a.annotator], "model": method,
                  "reliability": a.value, "interval": [a.interval.low, a.interval.high],
                  "items": a.items} for a in fitted.annotators]
    part = {"annotators": rows, "reason": reason, "replicates": replicates,
            "labels": list(corpus.sentiment_labels)}
    if reason is not None:
        return part, []
    posterior = dawid_skene(codes, k).posterior
    documents = [(corpus.doc_ids[d], {name: round(float(posterior[d, i]), POSTERIOR_DIGITS)
                                      for i, name in enumerate(corpus.sentiment_labels)})
                 for d in np.nonzero(rated)[0].tolist()]
    return part, documents
