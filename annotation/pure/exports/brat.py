"""``brat``: a zip of brat standoff files.

- Layout: scope ``gold``: ``<id>.txt`` and ``<id>.ann`` per document; scope ``all``:
  ``gold/<id>.*`` for gold labellings and ``annotators/<annotator>/<id>.*`` for each
  annotator's. ``annotation.conf`` (first entry, at the root; brat looks for it in parent
  directories) lists the types. File names are the ids percent-encoded (``quote``, with a
  leading ``.`` encoded too).
- The ``.txt`` is the document's text as UTF-8, byte for byte (no newline translation).
  Offsets are code points: what brat's Python server counts, and Concord's offsets as they
  are. Read the .txt with ``newline=""`` (or as bytes) so ``\\r\\n`` is not folded.
- Entities: ``T1\\tPER 0 5\\tAlice``. An entity crossing a line break is written as brat
  writes one: fragments ``0 5;6 11`` around the line breaks, their texts joined by a space.
- Relations: ``R1\\tworks_for Arg1:T1 Arg2:T2`` (head is Arg1); undirected labels are
  declared ``<REL-TYPE>:symmetric``.
- Sentiment: a ``Document`` entity over the whole text (fragments around line breaks) with
  the attribute ``A1\\tSentiment T3 positive``; for multi-label projects one binary
  attribute per chosen label, ``A1\\tSentiment_positive T3``.
- Type names have characters brat reserves (whitespace, ``,:|=<>[]#``...) replaced by ``_``.
"""

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from annotation.pure.exports.common import Context, Labelling, Record
from annotation.pure.exports.zipstream import ZipStream

_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
DOCUMENT_TYPE = "Document"
SENTIMENT_ATTRIBUTE = "Sentiment"


def type_name(name: str) -> str:
    return re.sub(r"[^\w.\-]", "_", name) or "_"


def file_name(value: Any) -> str:
    name = quote(str(value), safe="-_~@+=,")
    return "%2E" + name[1:] if name.startswith(".") else name or "%"


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut around line breaks, as brat cuts a span crossing lines."""
    pieces, position = [], start
    for brk in _BREAKS.finditer(text, start, end):
        if brk.start() > position:
            pieces.append((position, brk.start()))
        position = brk.end()
    if end > position:
        pieces.append((position, end))
    return pieces


def _span(text: str, pieces: list[tuple[int, int]]) -> str:
    offsets = ";".join(f"{s} {e}" for s, e in pieces)
    return f"{offsets}\t{' '.join(text[s:e] for s, e in pieces)}"


def annotation_conf(ctx: Context) -> str:
    labels = ctx.labels
    lines = ["[entities]"]
    lines += [type_name(name) for name in labels.entities]
    if labels.sentiments:
        lines.append(DOCUMENT_TYPE)
    lines += ["", "[relations]"]
    for relation in labels.relations:
        line = f"{type_name(relation.name)}\tArg1:<ENTITY>, Arg2:<ENTITY>"
        lines.append(line if relation.directed else line + ", <REL-TYPE>:symmetric")
    lines.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
    lines += ["", "[events]", "", "[attributes]"]
    if labels.sentiments and labels.multi_label:
        lines += [f"{SENTIMENT_ATTRIBUTE}_{type_name(name)}\tArg:{DOCUMENT_TYPE}"
                  for name in labels.sentiments]
    elif labels.sentiments:
        values = "|".join(type_name(name) for name in labels.sentiments)
        lines.append(f"{SENTIMENT_ATTRIBUTE}\tArg:{DOCUMENT_TYPE}, Value:{values}")
    return "\n".join(lines) + "\n"


def ann(ctx: Context, record: Record, labelling: Labelling) -> str:
    text: str = record["text"]
    lines: list[str] = []
    ids: dict[Any, str] = {}
    for entity in ctx.entities(record, labelling):
        pieces = fragments(text, entity["start"], entity["end"])
        if not pieces:
            ctx.warn(record, labelling, "the entity covers only line breaks; skipped",
                     entity=entity.get("id"), start=entity["start"], end=entity["end"])
            continue
        t_id = f"T{len(lines) + 1}"
        if entity.get("id") is not None:
            ids[entity["id"]] = t_id
        lines.append(f"{t_id}\t{type_name(entity['label'])} {_span(text, pieces)}")
    count = len(lines)
    for number, relation in enumerate(ctx.relations(record, labelling, ids), 1):
        lines.append(f"R{number}\t{type_name(relation['label'])} "
                     f"Arg1:{ids[relation['head']]} Arg2:{ids[relation['tail']]}")
    sentiments = ctx.sentiments(record, labelling)
    pieces = fragments(text, 0, len(text))
    if sentiments and not pieces:
        ctx.warn(record, labelling, "no text to attach the sentiment to; it was skipped")
    elif sentiments:
        document = f"T{count + 1}"
        lines.append(f"{document}\t{DOCUMENT_TYPE} {_span(text, pieces)}")
        for number, name in enumerate(sentiments, 1):
            lines.append(
                f"A{number}\t{SENTIMENT_ATTRIBUTE}_{type_name(name)} {document}"
                if ctx.labels.multi_label
                else f"A{number}\t{SENTIMENT_ATTRIBUTE} {document} {type_name(name)}")
    return "".join(line + "\n" for line in lines)


def write(ctx: Context, records: Iterable[Record]) -> Iterator[bytes]:
    archive = ZipStream()
    yield archive.add("annotation.conf", annotation_conf(ctx).encode("utf-8"))
    for record in records:
        labellings = ctx.labellings(record)
        if not labellings:
            continue
        name = file_name(record.get("id"))
        text = record["text"].encode("utf-8")
        for labelling in labellings:
            folder = ("" if ctx.scope == "gold" else "gold/" if labelling.annotator is None
                      else f"annotators/{file_name(labelling.annotator)}/")
            yield (archive.add(f"{folder}{name}.txt", text)
                   + archive.add(f"{folder}{name}.ann",
                                 ann(ctx, record, labelling).encode("utf-8")))
            ctx.annotations += 1
        ctx.documents += 1
    yield archive.close()
