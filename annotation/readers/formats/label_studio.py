"""Label Studio's JSON export: an array of tasks, streamed.

- Text: ``data.text`` when present, else the first string value in ``data``. The other
  ``data`` keys go to ``meta``; the task ``id`` becomes the record id. ``line`` is the 1-based
  task number in the array.
- ``annotations`` (``completions`` in old exports) become annotations; cancelled ones
  (``was_cancelled``) are skipped. The annotator is the part of ``completed_by.email`` before
  "@", else ``completed_by.username``, else ``ls-user-<id>`` for a bare or object id. When one
  user has several annotations of a task, the last one wins.
- ``predictions``: the first one is taken (Concord keeps one set of pre-annotations a document).
  They are stored as suggestions of the agent ``imported``, with the prediction's
  ``model_version`` and ``score``; a result's own ``score`` takes precedence.
- Results: ``labels`` become entities (one per label when a region has several; the region id
  is the entity id, with a ``.2``, ``.3``... suffix for the extra ones); ``relation`` becomes a
  relation per label (``direction: "left"`` swaps head and tail, ``"bi"`` is kept as
  from -> to; a relation without a label is a Problem); document-level ``choices`` become the
  sentiment (one choice: a string, several: a list). Choices whose id is a region's id are
  per-region attributes and are ignored, as are other result types (textarea, rating...).
- Offsets: Label Studio (since 2021) stores code points, which is what Concord uses. When the
  region's ``value.text`` disagrees with the text at those offsets, the offsets are read as
  UTF-16 code units (older versions counted so); if that does not match either, the record
  is a Problem rather than a shifted span.
"""

from collections.abc import Iterator
from typing import Any, BinaryIO

from annotation.readers.formats.common import (
    Ids,
    Invalid,
    build_records,
    ident,
    json_array,
    label,
    must,
    probability,
    source,
)
from annotation.readers.limits import DEFAULT_LIMITS, Limits
from annotation.readers.records import (
    Entity,
    Labelling,
    PredictedEntity,
    PredictedRelation,
    Predictions,
    Problem,
    Record,
    Relation,
    Source,
)


def read_label_studio(
    raw: BinaryIO, chunk_size: int | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Record | Problem]:
    yield from build_records(json_array(raw, chunk_size, limits), Ids("record"), _task)


def _task(task: Any, number: int) -> Record:
    if type(task) is not dict:
        raise Invalid("", "a task must be a JSON object")
    if "data" not in task:
        raise Invalid("data", "missing")
    data = must(dict, task["data"], "data")
    key = "text" if "text" in data else next((k for k, v in data.items() if type(v) is str), None)
    if key is None:
        raise Invalid("data", "no text: data holds no string")
    text = must(str, data[key], f"data.{key}")
    record = Record(
        number, text, ident(task.get("id"), "id"), {k: v for k, v in data.items() if k != key}
    )
    found: dict[str, Labelling] = {}
    field = "annotations" if "annotations" in task else "completions"
    for i, ann in enumerate(must(list, task.get(field) or [], field)):
        at = f"{field}[{i}]"
        if must(dict, ann, at).get("was_cancelled"):
            continue
        who = _annotator(ann.get("completed_by"), f"{at}.completed_by")
        found.pop(who, None)
        found[who] = _labelling(text, ann.get("result") or [], f"{at}.result")
    record.annotations = list(found.items())
    predictions = must(list, task.get("predictions") or [], "predictions")
    if predictions:
        first = must(dict, predictions[0], "predictions[0]")
        version = first.get("model_version")
        if type(version) is int:  # some backends number their versions
            version = str(version)
        base = source({"model_version": version, "score": first.get("score")},
                      "predictions[0]")
        record.predictions = _labelling(text, first.get("result") or [], "predictions[0].result",
                                        base)
    return record


def _annotator(value: Any, field: str) -> str:
    if type(value) is dict:
        if type(value.get("email")) is str and value["email"]:
            return value["email"].split("@", 1)[0] or value["email"]
        if type(value.get("username")) is str and value["username"]:
            return str(value["username"])
        value = value.get("id")
    if type(value) is int:
        return f"ls-user-{value}"
    if type(value) is str and value:
        return value.split("@", 1)[0] or value
    raise Invalid(field, "missing" if value is None else "must be a user id or object")


def _labelling(text: str, results: Any, where: str, base: Source | None = None) -> Labelling:
    """An annotation's results; with ``base`` (the prediction's model version and score),
    a prediction's, each item with its source (a result's ``score`` replaces the base's)."""
    lab = Labelling() if base is None else Predictions()
    regions: set[str] = set()
    relations: list[tuple[str, dict[str, Any]]] = []
    choices: list[tuple[str, dict[str, Any]]] = []
    for j, result in enumerate(must(list, results, where)):
        at = f"{where}[{j}]"
        kind = must(dict, result, at).get("type")
        if kind == "labels":
            done = len(lab.entities)
            _entities(text, result, at, lab.entities, regions)
            if base is not None:
                lab.entities[done:] = [PredictedEntity(e.start, e.end, e.label, e.id,
                                                       _source(base, result, at))
                                       for e in lab.entities[done:]]
        elif kind == "relation":
            relations.append((at, result))
        elif kind == "choices":
            choices.append((at, result))
    for at, result in relations:
        found = _relations(result, at, regions)
        if base is not None:
            mine = _source(base, result, at)
            found = [PredictedRelation(r.head, r.tail, r.label, mine) for r in found]
        lab.relations += found
    picked: list[str] = []
    sources: list[Source] = []
    for at, result in choices:
        if ident(result.get("id"), f"{at}.id") not in regions:
            value = must(dict, result.get("value"), f"{at}.value")
            for k, choice in enumerate(must(list, value.get("choices"), f"{at}.value.choices")):
                picked.append(label(choice, f"{at}.value.choices[{k}]"))
                if base is not None:
                    sources.append(_source(base, result, at))
    if isinstance(lab, Predictions):
        lab.sentiment, lab.sentiment_sources = (picked or None), sources
    elif picked:
        lab.sentiment = picked[0] if len(picked) == 1 else picked
    return lab


def _source(base: Source, result: dict[str, Any], at: str) -> Source:
    score = result.get("score")
    if score is None:
        return base
    return Source(base.agent, base.model_version, probability(score, f"{at}.score"))


def _entities(
    text: str, result: dict[str, Any], at: str, out: list[Entity], regions: set[str]
) -> None:
    value = must(dict, result.get("value"), f"{at}.value")
    start = must(int, value.get("start"), f"{at}.value.start")
    end = must(int, value.get("end"), f"{at}.value.end")
    quoted = value.get("text")
    if type(quoted) is str and text[start:end] != quoted:
        start, end = _utf16_offsets(text, start, end, quoted, f"{at}.value")
    region = ident(result.get("id"), f"{at}.id")
    taken = {e.id for e in out}
    for k, name in enumerate(must(list, value.get("labels"), f"{at}.value.labels")):
        eid = region
        if region is not None:
            regions.add(region)
            n = k + 1
            while eid in taken:
                n += 1
                eid = f"{region}.{n}"
            taken.add(eid)
        out.append(Entity(start, end, label(name, f"{at}.value.labels[{k}]"), eid))


def _utf16_offsets(text: str, start: int, end: int, quoted: str, field: str) -> tuple[int, int]:
    units = text.encode("utf-16-le")
    s, e = (len(units[: 2 * n].decode("utf-16-le", "ignore")) for n in (start, end))
    if text[s:e] == quoted:
        return s, e
    raise Invalid(
        field, f"the text at {start}..{end} is {text[start:end]!r}, but the region says {quoted!r}"
    )


def _relations(result: dict[str, Any], at: str, regions: set[str]) -> list[Relation]:
    ends = []
    for key in ("from_id", "to_id"):
        ref = ident(result.get(key), f"{at}.{key}")
        if ref is None or ref not in regions:
            raise Invalid(
                f"{at}.{key}",
                "missing"
                if ref is None
                else f"no labelled region with id {ref!r} in this annotation",
            )
        ends.append(ref)
    head, tail = ends
    if result.get("direction") == "left":
        head, tail = tail, head
    names = must(list, result.get("labels") or [], f"{at}.labels")
    if not names:
        raise Invalid(f"{at}.labels", "a relation needs a label")
    return [Relation(head, tail, label(name, f"{at}.labels[{k}]")) for k, name in enumerate(names)]
