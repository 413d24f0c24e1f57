"""``csv``: RFC 4180 (the csv module's defaults: ``,``, ``"`` quoting when needed, CRLF line
ends), UTF-8 without a BOM, a header row.

- Columns: ``id``, (scope ``all`` only: ``annotator``, empty for gold), ``text``,
  ``sentiment``, then the meta. One row per labelling the scope exports (scope ``gold``: one
  per document with gold).
- ``sentiment``: the label name, empty when there is none; multi-label projects: a JSON
  array of names (``[]`` for none).
- Meta: streaming cannot learn the union of meta keys before the first row, so the caller
  decides: ``ExportLabels.meta_columns`` names the columns (a string value as is, a missing
  key or null empty, anything else as JSON); ``None`` gives one ``meta`` column holding the
  meta as JSON with sorted keys.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from annotation.pure.exports.common import Context, Record


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _cell(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else _json(value)


def write(ctx: Context, records: Iterable[Record]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    meta_columns = ctx.labels.meta_columns
    header = ["id", *(["annotator"] if ctx.scope == "all" else []), "text", "sentiment"]
    header += ["meta"] if meta_columns is None else list(meta_columns)
    writer.writerow(header)
    for record in records:
        labellings = ctx.labellings(record)
        if not labellings:
            continue
        meta = record.get("meta") or {}
        meta_cells = ([_json(meta)] if meta_columns is None
                      else [_cell(meta.get(key)) for key in meta_columns])
        for labelling in labellings:
            names = ctx.sentiments(record, labelling)
            sentiment = _json(names) if ctx.labels.multi_label else names[0] if names else ""
            row = [_cell(record.get("id"))]
            if ctx.scope == "all":
                row.append(labelling.annotator or "")
            writer.writerow([*row, record["text"], sentiment, *meta_cells])
            ctx.annotations += 1
        ctx.documents += 1
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")
