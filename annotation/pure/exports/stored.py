"""Documents as the database holds them (``Stored``): what the export selector gives for
every format and scope, as plain tuples. ``records`` turns them into the native records the
writers read; ``jsonl.write_gold`` writes its gold lines from them without the record dicts
(``Export.write`` picks one or the other)."""

import json
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

ANNOTATION, GOLD = "annotation", "gold"  # the kinds of labelling


class Labelling(NamedTuple):
    """One labelling: entities in order of offsets (their ids are ``T1``, ``T2``… by
    position), relations by entity position from 1, sentiment in the project's order."""

    kind: str  # "annotation" or "gold"
    annotator: str | None  # as the export names them; None but for kind "annotation"
    entities: list[tuple[int, int, str]]  # (start, end, label name)
    relations: list[tuple[int, int, str]]  # (head, tail, label name)
    sentiment: list[str]  # label names


class Predicted(NamedTuple):
    """A document's suggestions, of every agent: each item ends with (agent, model
    version, score). Entities in order of offsets (ids ``T1``, ``T2``… by position),
    relations by entity position from 1."""

    entities: list[tuple[int, int, str, str, str, float]]  # (start, end, label, ...)
    relations: list[tuple[int, int, str, str, str, float]]  # (head, tail, label, ...)
    sentiment: list[tuple[str, str, str, float]]  # (label, ...)


class Stored(NamedTuple):
    id: str  # the external id, or the primary key as text
    text: str
    meta: str  # the meta as JSON text, in any layout
    labellings: list[Labelling]  # annotators' by name then id; a later gold wins
    predictions: Predicted | None = None  # the suggestions (scope ``all``), if any


def _content(text: str, labelling: Labelling, multi_label: bool) -> dict[str, Any]:
    chosen = labelling.sentiment
    return {"entities": [{"id": f"T{n}", "start": start, "end": end, "label": label,
                          "text": text[start:end]}
                         for n, (start, end, label) in enumerate(labelling.entities, start=1)],
            "relations": [{"head": f"T{head}", "tail": f"T{tail}", "label": label}
                          for head, tail, label in labelling.relations],
            "sentiment": chosen if multi_label else (chosen[0] if chosen else None)}


def _predicted(text: str, predicted: Predicted) -> dict[str, Any]:
    """``predictions`` as a file gives them: every item with its agent, model version and
    score; sentiment as objects (several agents may propose one each)."""
    return {"entities": [{"id": f"T{n}", "start": start, "end": end, "label": label,
                          "text": text[start:end], "agent": agent, "model_version": version,
                          "score": score}
                         for n, (start, end, label, agent, version, score)
                         in enumerate(predicted.entities, start=1)],
            "relations": [{"head": f"T{head}", "tail": f"T{tail}", "label": label,
                           "agent": agent, "model_version": version, "score": score}
                          for head, tail, label, agent, version, score in predicted.relations],
            "sentiment": [{"label": label, "agent": agent, "model_version": version,
                           "score": score}
                          for label, agent, version, score in predicted.sentiment]}


def record(document: Stored, *, scope: str, multi_label: bool) -> dict[str, Any]:
    """The native record: id, text, meta, then (scope ``all``) the annotations, the gold
    as they come, and the predictions (the document's suggestions)."""
    out: dict[str, Any] = {"id": document.id, "text": document.text,
                           "meta": json.loads(document.meta)}
    if scope == "all":
        out["annotations"] = []
    for labelling in document.labellings:
        content = _content(document.text, labelling, multi_label)
        if labelling.kind == ANNOTATION:
            out["annotations"].append({"annotator": labelling.annotator, **content})
        elif labelling.kind == GOLD:
            out["gold"] = content
    if document.predictions is not None:
        out["predictions"] = _predicted(document.text, document.predictions)
    return out


def records(documents: Iterable[Stored], *, scope: str, multi_label: bool
            ) -> Iterator[dict[str, Any]]:
    for document in documents:
        yield record(document, scope=scope, multi_label=multi_label)

