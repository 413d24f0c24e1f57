"""CSV (dialect ``excel``) and TSV (``excel-tab``) with a header row.

The text is in ``text_column``, which the header must hold (else the whole file is refused);
the id in ``id_column`` when the header has it. Every other column goes to ``meta`` as a string,
empty cells left out; an empty header name becomes ``column_<n>``. ``line`` is the physical line
where the row starts, so a quoted field that spans lines moves the next row's number on.

Since the other columns are meta keys, the header may hold at most ``max_meta_keys`` of them
and names no longer than ``max_meta_key_chars`` (`limits.Limits`); a wider header refuses the
file before its fields are split (a million columns would be a million strings a row).
"""

import csv
import itertools
import re
import sys
from collections.abc import Iterable, Iterator

from annotation.readers.formats.common import Ids
from annotation.readers.limits import DEFAULT_LIMITS, Limits
from annotation.readers.records import FileError, Problem, Record

_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)  # the default (128 KiB) is too small for documents


def _header(row: list[str]) -> list[str]:
    names = [name.strip() or f"column_{i + 1}" for i, name in enumerate(row)]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise FileError(f"The column {name!r} appears twice in the header.")
        seen.add(name)
    return names


_QUOTED = re.compile(r'"[^"]*"')


def _narrow_header(lines: Iterable[str], delimiter: str, limits: Limits) -> Iterator[str]:
    """The lines, once the header's first line is known not to be too wide: its delimiters
    outside quotes, counted without splitting it."""
    lines = iter(lines)
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip("\r\n"):
            if line.count(delimiter) > limits.max_meta_keys + 1:
                columns = _QUOTED.sub("", line).count(delimiter) + 1
                _check_width(columns, columns - 2, limits)
            break
    return itertools.chain(head, lines)


def _check_width(columns: int, meta: int, limits: Limits) -> None:
    """The header's columns other than the text and the id (`meta` of its `columns`) are
    meta keys: at most max_meta_keys of them."""
    if meta > limits.max_meta_keys:
        raise FileError(
            f"The header has {columns:,} columns; at most {limits.max_meta_keys:,} besides the "
            f"text and the id may become meta keys (CONCORD_IMPORT_MAX_META_KEYS).")


def _check_names(meta: list[str], limits: Limits) -> None:
    for name in meta:
        if len(name) > limits.max_meta_key_chars:
            raise FileError(
                f"The column name {name[:40]!r}… has {len(name):,} characters; a meta key may "
                f"have {limits.max_meta_key_chars:,} (CONCORD_IMPORT_MAX_META_KEY_CHARS).")


def read_table(
    lines: Iterable[str],
    *,
    delimiter: str = ",",
    text_column: str = "text",
    id_column: str | None = "id",
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Record | Problem]:
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    kind = "TSV" if delimiter == "\t" else "CSV"
    reader = csv.reader(_narrow_header(lines, delimiter, limits),
                        dialect="excel-tab" if delimiter == "\t" else "excel")
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
            keys = [n for i, n in enumerate(names) if i != text_at and i != id_at]
            _check_width(len(names), len(keys), limits)
            _check_names(keys, limits)
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
    lines: Iterable[str], *, text_column: str = "text", id_column: str | None = "id",
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Record | Problem]:
    return read_table(lines, delimiter=",", text_column=text_column, id_column=id_column,
                      limits=limits)


def read_tsv(
    lines: Iterable[str], *, text_column: str = "text", id_column: str | None = "id",
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Record | Problem]:
    return read_table(lines, delimiter="\t", text_column=text_column, id_column=id_column,
                      limits=limits)
