"""CSV (dialect ``excel``) and TSV (``excel-tab``) with a header row.

The text is in ``text_column``, which the header must hold (else the whole file is refused);
the id in ``id_column`` when the header has it. Every other column goes to ``meta`` as a string,
empty cells left out; an empty header name becomes ``column_<n>``. ``line`` is the physical line
where the row starts, so a quoted field that spans lines moves the next row's number on.
"""

import csv
import sys
from collections.abc import Iterable, Iterator

from annotation.imports.formats.common import Ids
from annotation.imports.records import FileError, Problem, Record

_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)  # the default (128 KiB) is too small for documents


def _header(row: list[str]) -> list[str]:
    names = [name.strip() or f"column_{i + 1}" for i, name in enumerate(row)]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise FileError(f"The column {name!r} appears twice in the header.")
        seen.add(name)
    return names


def read_table(
    lines: Iterable[str],
    *,
    delimiter: str = ",",
    text_column: str = "text",
    id_column: str | None = "id",
) -> Iterator[Record | Problem]:
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    kind = "TSV" if delimiter == "\t" else "CSV"
    reader = csv.reader(lines, dialect="excel-tab" if delimiter == "\t" else "excel")
    names: list[str] | None = None
    ids = Ids("line")
    text_at = id_at = -1
    start = 1  # the physical line where the next row starts
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Problem(start, "", f"malformed {kind}: {exc}")
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not row:
            continue  # a blank line
        if names is None:
            names = _header(row)
            if text_column not in names:
                raise FileError(
                    f"no column {text_column!r} in the header; columns are: {', '.join(names)}"
                )
            text_at = names.index(text_column)
            id_at = names.index(id_column) if id_column in names else -1
            continue
        if len(row) != len(names):
            yield Problem(line, "", f"expected {len(names)} fields, found {len(row)}")
            continue
        meta = {
            name: cell
            for i, (name, cell) in enumerate(zip(names, row, strict=True))
            if cell and i != text_at and i != id_at
        }
        record = Record(line, row[text_at], (row[id_at] or None) if id_at >= 0 else None, meta)
        yield ids.check(record)
    if names is None:
        raise FileError("The file has no header row.")


def read_csv(
    lines: Iterable[str], *, text_column: str = "text", id_column: str | None = "id"
) -> Iterator[Record | Problem]:
    return read_table(lines, delimiter=",", text_column=text_column, id_column=id_column)


def read_tsv(
    lines: Iterable[str], *, text_column: str = "text", id_column: str | None = "id"
) -> Iterator[Record | Problem]:
    return read_table(lines, delimiter="\t", text_column=text_column, id_column=id_column)
