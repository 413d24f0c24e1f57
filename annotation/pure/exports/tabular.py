"""``csv``: RFC 4180 (``,``, every cell quoted with ``"``, CRLF line ends), UTF-8 without a
BOM, a header row.

- Columns: ``id``, (scope ``all`` only: ``annotator``, empty for gold), ``text``,
  ``sentiment``, then the meta. One row per labelling the scope exports (scope ``gold``: one
  per document with gold).
- ``sentiment``: the label name, empty when there is none; multi-label projects: a JSON
  array of names (``[]`` for none).
- Meta: streaming cannot learn the union of meta keys before the first row, so the caller
  decides: ``ExportLabels.meta_columns`` names the columns (a string value as is, a missing
  key or null empty, anything else as JSON), then a last ``meta`` column holds the record's
  other keys as a JSON object in their stored order (empty when there are none), so nothing
  is dropped however many keys a record has. A name of a fixed column (``RESERVED``) gets no
  column of its own: it stays in ``meta``. ``None`` gives one ``meta`` column holding the
  whole meta as JSON with sorted keys. The caller caps the number of columns
  (CONCORD_EXPORT_CSV_META_COLUMNS); the cost of a row is linear in its record's size.
- Formula injection (OWASP "CSV Injection"): every cell is quoted, so a separator inside a
  cell (``,``, or the ``;`` or tab of another locale) cannot start a new cell, and a cell
  that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``,
  so that a spreadsheet shows it as text instead of running it; so does a cell that is
  ``'`` characters followed by one of those, so that the change can be undone exactly:
  strip one leading ``'`` from every cell matching ``^'+[=+\\-@\\t\\r]``. A cell that is a
  plain decimal number (``-5``, ``+1.5``, ``-2e-05``) is left as it is: a spreadsheet reads
  it as a number, never as a formula. Header cells (meta keys) are treated alike.
"""

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from annotation.pure.exports.common import Context, Record

# The fixed columns' names: a meta key with one of them gets no column (it stays in ``meta``).
RESERVED = frozenset({"id", "annotator", "text", "sentiment", "meta"})
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV Injection").
TRIGGERS = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def neutral(cell: str) -> str:
    """``cell`` as a spreadsheet shows it as text: a ``'`` before a formula trigger, and
    before ``'`` characters followed by one (so that removing one leading ``'`` from the cells
    that match ``^'+[=+\\-@\\t\\r]`` gives back every cell exactly). Plain numbers stay."""
    first = cell[:1]
    if first in TRIGGERS:
        return cell if _NUMBER.match(cell) else "'" + cell
    if first == "'" and cell.lstrip("'")[:1] in TRIGGERS:
        return "'" + cell
    return cell


def unneutral(cell: str) -> str:
    """The inverse of ``neutral``, for readers of the file that want the stored values."""
    if cell[:1] == "'" and cell.lstrip("'")[:1] in TRIGGERS:
        return cell[1:]
    return cell


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _cell(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else _json(value)


def _rest(meta: dict[str, Any], columns: frozenset[str]) -> str:
    """The keys of ``meta`` without a column of their own, as JSON in their stored order
    (no sort: linear in the meta's size); empty when there are none."""
    rest = {key: value for key, value in meta.items() if key not in columns}
    return json.dumps(rest, ensure_ascii=False, separators=(",", ":")) if rest else ""


def columns_of(meta_columns: Sequence[str]) -> list[str]:
    """The meta columns a csv export writes for ``meta_columns``: without the fixed columns'
    names and repeats, in order."""
    return [key for key in dict.fromkeys(meta_columns) if key not in RESERVED]


def write(ctx: Context, records: Iterable[Record]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)

    def row(cells: list[str]) -> None:
        writer.writerow([neutral(cell) for cell in cells])

    columns = None if ctx.labels.meta_columns is None else columns_of(ctx.labels.meta_columns)
    named = frozenset(columns or ())
    header = ["id", *(["annotator"] if ctx.scope == "all" else []), "text", "sentiment"]
    header += ["meta"] if columns is None else [*columns, "meta"]
    row(header)
    for record in records:
        labellings = ctx.labellings(record)
        if not labellings:
            continue
        meta = record.get("meta") or {}
        if columns is None:
            meta_cells = [_json(meta)]
        elif isinstance(meta, dict):
            meta_cells = [*(_cell(meta.get(key)) for key in columns), _rest(meta, named)]
        else:  # not an object (the contract says it is): nothing to spread over columns
            meta_cells = [*([""] * len(columns)), _json(meta)]
        for labelling in labellings:
            names = ctx.sentiments(record, labelling)
            sentiment = _json(names) if ctx.labels.multi_label else names[0] if names else ""
            cells = [_cell(record.get("id"))]
            if ctx.scope == "all":
                cells.append(labelling.annotator or "")
            row([*cells, record["text"], sentiment, *meta_cells])
            ctx.annotations += 1
        ctx.documents += 1
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")
