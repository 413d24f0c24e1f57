"""``hf``: a Hugging Face ``datasets`` JSON dataset, as a zip of two files.

- ``dataset_info.json`` (first): ``datasets.DatasetInfo`` fields, with ``features`` in
  ``Features.to_dict()`` form, so the class-label names travel with the data::

      info = json.load(open("dataset_info.json"))
      ds = load_dataset("json", data_files="data.jsonl",
                        features=Features.from_dict(info["features"]))

  (``DatasetInfo.from_directory`` reads it too; ``concord`` holds the export's scope, the
  sentiment scale and which relation labels are directed.)
- ``data.jsonl``: one row per labelling the scope exports (``gold``: each document's gold;
  ``all``: its gold and every annotator's), keys in this order:
  ``id`` (string), ``annotator`` (null for gold), ``tokens`` (the shared tokenizer's),
  ``ner_tags`` (ids into ``["O", "B-X", "I-X", ...]`` in the project's entity order),
  ``sentiment`` (an id into the sentiment names, -1 for none; multi-label projects: a list
  of ids), ``relations`` (``{"head": [first, end], "tail": [first, end], "label": id}``,
  token ranges, end exclusive).
- Entities off token boundaries or overlapping are not tagged and are warned about (see
  ``tagging``); a relation to such an entity is left out, with a warning.
"""

import json
from collections.abc import Iterable, Iterator
from typing import Any

from annotation.pure.exports.common import Context, Record, buffered, json_line
from annotation.pure.exports.tagging import tag
from annotation.pure.exports.zipstream import ZipStream


def _class_label(names: Iterable[str]) -> dict[str, Any]:
    return {"names": list(names), "_type": "ClassLabel"}


def _sequence(feature: dict[str, Any]) -> dict[str, Any]:
    return {"feature": feature, "_type": "Sequence"}


def _value(dtype: str) -> dict[str, Any]:
    return {"dtype": dtype, "_type": "Value"}


def features(ctx: Context) -> dict[str, Any]:
    """The rows' features, in ``datasets.Features.to_dict()`` form."""
    labels = ctx.labels
    sentiment = _class_label(labels.sentiments)
    span = _sequence(_value("int32"))
    return {
        "id": _value("string"),
        "annotator": _value("string"),
        "tokens": _sequence(_value("string")),
        "ner_tags": _sequence(_class_label(labels.bio_tags)),
        "sentiment": _sequence(sentiment) if labels.multi_label else sentiment,
        "relations": [{"head": span, "tail": span,
                       "label": _class_label(r.name for r in labels.relations)}],
    }


def dataset_info(ctx: Context) -> dict[str, Any]:
    return {
        "description": "Exported from Concord. ner_tags use BIO over the shared tokenizer's "
                       "tokens; relations point at token ranges [first, end).",
        "features": features(ctx),
        "concord": {
            "scope": ctx.scope,
            "sentiment_scale": ctx.labels.scale,
            "sentiment_multi_label": ctx.labels.multi_label,
            "relation_directed": {r.name: r.directed for r in ctx.labels.relations},
        },
    }


def _rows(ctx: Context, records: Iterable[Record]) -> Iterator[bytes]:
    relation_ids = {r.name: i for i, r in enumerate(ctx.labels.relations)}
    sentiment_ids = {name: i for i, name in enumerate(ctx.labels.sentiments)}
    for record in records:
        labellings = ctx.labellings(record)
        if not labellings:
            continue
        text: str = record["text"]
        tokens = None
        for labelling in labellings:
            tagged = tag(ctx, record, labelling, tokens)
            tokens = tagged.tokens
            chosen = [sentiment_ids[name] for name in ctx.sentiments(record, labelling)]
            row = {
                "id": str(record.get("id")),
                "annotator": labelling.annotator,
                "tokens": [text[s:e] for s, e in tokens],
                "ner_tags": tagged.tags,
                "sentiment": chosen if ctx.labels.multi_label else chosen[0] if chosen else -1,
                "relations": [
                    {"head": list(tagged.spans[r["head"]]), "tail": list(tagged.spans[r["tail"]]),
                     "label": relation_ids[r["label"]]}
                    for r in ctx.relations(record, labelling, tagged.spans)],
            }
            ctx.annotations += 1
            yield json_line(row)
        ctx.documents += 1


def write(ctx: Context, records: Iterable[Record]) -> Iterator[bytes]:
    archive = ZipStream()
    info = json.dumps(dataset_info(ctx), ensure_ascii=False, indent=2)
    yield archive.add("dataset_info.json", info.encode("utf-8") + b"\n")
    yield from archive.stream("data.jsonl", buffered(_rows(ctx, records)))
    yield archive.close()
