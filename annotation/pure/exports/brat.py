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
- An ``.ann`` holds only the labelling's entities (T lines) and relations (R lines): a span
  reader gets exactly those, nothing document-level.
- Document labels (sentiment) are not spans, so they are not in the ``.ann`` files (nor
  declared in ``annotation.conf``): projects with sentiment labels get
  ``document_labels.jsonl`` at the root (the last entry), one JSON line per ``.ann``, in the
  archive's order: ``{"file": "gold/doc-1", "id": "doc-1", "annotator": null,
  "sentiment": "positive"}``. ``file`` is the path of the ``.txt``/``.ann`` pair without its
  extension, ``id`` the document's id (a string), ``annotator`` null for gold; ``sentiment``
  is a label name or null (none), or for multi-label projects a list of names (``[]`` for
  none). Names are the project's own (not made brat-safe). A project without sentiment
  labels has no such file.
- Type names have characters brat reserves (whitespace, ``,:|=<>[]#``...) replaced by ``_``.
"""

import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any
from urllib.parse import quote

from annotation.pure.exports.common import Context, Labelling, Record, json_line
from annotation.pure.exports.zipstream import ZipStream

_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
DOCUMENT_LABELS = "document_labels.jsonl"
SPILL = 1 << 20  # the document labels stay in memory up to this size, then go to a temp file


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
    lines = [f"# Document labels (sentiment) are in {DOCUMENT_LABELS}, not in the .ann files.",
             ""] if labels.sentiments else []
    lines += ["[entities]", *(type_name(name) for name in labels.entities), "", "[relations]"]
    for relation in labels.relations:
        line = f"{type_name(relation.name)}\tArg1:<ENTITY>, Arg2:<ENTITY>"
        lines.append(line if relation.directed else line + ", <REL-TYPE>:symmetric")
    lines.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
    lines += ["", "[events]", "", "[attributes]"]
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
    for number, relation in enumerate(ctx.relations(record, labelling, ids), 1):
        lines.append(f"R{number}\t{type_name(relation['label'])} "
                     f"Arg1:{ids[relation['head']]} Arg2:{ids[relation['tail']]}")
    return "".join(line + "\n" for line in lines)


def document_labels(ctx: Context, record: Record, labelling: Labelling, file: str) -> bytes:
    """The line of ``document_labels.jsonl`` for one ``.ann`` (``file``: its path without
    the extension)."""
    chosen = ctx.sentiments(record, labelling)
    return json_line({
        "file": file, "id": str(record.get("id")), "annotator": labelling.annotator,
        "sentiment": chosen if ctx.labels.multi_label else chosen[0] if chosen else None})


def _read(file: IO[bytes]) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(SPILL):
        yield chunk


def write(ctx: Context, records: Iterable[Record]) -> Iterator[bytes]:
    archive = ZipStream()
    yield archive.add("annotation.conf", annotation_conf(ctx).encode("utf-8"))
    # The document labels wait here (spilled to disk past SPILL) to go in last.
    with tempfile.SpooledTemporaryFile(max_size=SPILL) as labels:
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
                if ctx.labels.sentiments:
                    labels.write(document_labels(ctx, record, labelling, folder + name))
                ctx.annotations += 1
            ctx.documents += 1
        if ctx.labels.sentiments:
            yield from archive.stream(DOCUMENT_LABELS, _read(labels))
    yield archive.close()
