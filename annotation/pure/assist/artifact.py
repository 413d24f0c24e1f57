"""Storing a trained model: bytes, their sha256, and a stable digest of the training set.

Models are pickled. That is acceptable only because artifacts are written by the server's
own training runs and read back from its own storage, checked against the sha256 recorded
at training time; an artifact never comes from an upload or any other outside source."""

import hashlib
import json
import pickle
from collections.abc import Sequence
from typing import Any

from annotation.pure.assist.base import GoldDoc


class ArtifactError(Exception):
    """The stored model cannot be used: its bytes changed, or they do not unpickle."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dump(model: Any) -> bytes:
    return pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)


def load(data: bytes, sha256: str) -> Any:
    """The model in `data`, once its sha256 is the one recorded; ArtifactError otherwise."""
    actual = digest(data)
    if actual != sha256.strip().lower():
        raise ArtifactError(f"the model artifact is corrupt or was replaced: its sha256 is "
                            f"{actual}, expected {sha256}")
    try:
        return pickle.loads(data)  # our own artifact, its checksum verified above
    except Exception as exc:
        raise ArtifactError(f"the model artifact cannot be read ({type(exc).__name__}: "
                            f"{exc}); retrain the agent") from exc


def _canonical(doc: GoldDoc) -> str:
    """One document as canonical JSON: relations by their entities rather than by index,
    and everything sorted, so equal gold gives equal text whatever its order."""
    entities = sorted([s, e, name] for s, e, name in doc.entities)
    relations = sorted([list(doc.entities[h]), list(doc.entities[t]), name]
                       for h, t, name in doc.relations)
    return json.dumps({"text": doc.text, "entities": entities, "relations": relations,
                       "sentiment": sorted(doc.sentiment)},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def training_sha256(docs: Sequence[GoldDoc]) -> str:
    """sha256 of the training set's texts and gold, independent of document order."""
    lines = sorted(_canonical(doc) for doc in docs)
    return digest("\n".join(lines).encode("utf-8"))
