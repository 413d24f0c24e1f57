"""``jsonl``: the native record, one a line, UTF-8 (``ensure_ascii=False``; the line breaks
JSON would leave raw, U+2028 and co., are escaped so that any line splitter finds the lines).

Keys keep the record's order (the caller builds records in DESIGN.md's order). Scope ``gold``
writes records that have a gold labelling, without ``annotations``; scope ``all`` writes
every record. Every entity carries ``text`` (its text at its offsets, added when missing; an
entity whose given text differs from the document's is kept as given and warned about)."""

from collections.abc import Iterable, Iterator
from typing import Any

from annotation.pure.exports.common import Context, Record, buffered, json_line


def _labelling(ctx: Context, record: Record, data: Any, annotator: str | None) -> Any:
    """The labelling as written: each entity with its text. An entity is copied only to add
    a missing text; when none is, the labelling itself is written, not a copy."""
    if not isinstance(data, dict):
        return data
    text: str = record["text"]
    given = data.get("entities")
    entities = given or ()
    added: list[Any] | None = None
    for i, entity in enumerate(entities):
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text):
            if "text" not in entity:
                if added is None:
                    added = list(entities)
                added[i] = {**entity, "text": text[start:end]}
            elif entity["text"] != text[start:end]:
                ctx.warn(record, None, "the entity's text differs from the text at its offsets",
                         annotator=annotator, entity=entity.get("id"), start=start, end=end)
        else:
            ctx.warn(record, None, "offsets outside the text", annotator=annotator,
                     entity=entity.get("id"), start=start, end=end)
    if added is None and ("entities" not in data or isinstance(given, list)):
        return data
    return {**data, "entities": added if added is not None else list(entities)}


def write(ctx: Context, records: Iterable[Record]) -> Iterator[bytes]:
    """The lines, joined into chunks of about 64 KiB (one write each, not one a line)."""
    return buffered(_lines(ctx, records))


def _lines(ctx: Context, records: Iterable[Record]) -> Iterator[bytes]:
    for record in records:
        if ctx.scope == "gold" and not record.get("gold"):
            continue
        out = {}
        for key, value in record.items():
            if key == "annotations":
                if ctx.scope == "gold":
                    continue
                value = [_labelling(ctx, record, a, str(a.get("annotator", "")))
                         for a in value or ()]
                ctx.annotators.update(a["annotator"] for a in value if "annotator" in a)
                ctx.annotations += len(value)
            elif key in ("gold", "predictions"):
                value = _labelling(ctx, record, value, None)
                ctx.annotations += key == "gold" and bool(value)
            out[key] = value
        ctx.documents += 1
        yield json_line(out)
