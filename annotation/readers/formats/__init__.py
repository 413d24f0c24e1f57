"""The format readers, by name.

Every reader in `READERS` takes the BINARY stream of the uploaded file (positioned at its
start) and keyword options, and yields `Record`s and `Problem`s one at a time; a `FileError`
means the file as a whole cannot be read. Line formats decode the stream with
`decode.open_text`; ``json`` and ``label-studio`` give ijson a validated UTF-8 byte stream
(`decode.open_utf8`), so ijson's C backend parses bytes directly.

Options: ``text_column`` and ``id_column`` (csv, tsv), ``txt_mode`` (txt), and for every format
``chunk_size``, the decoding chunk in bytes (tests make it small), and ``limits`` (`limits.Limits`:
what a record may hold; the JSON readers check nesting and keys as they parse, tabular ones the
header, and `read` every record's meta). The per-format functions
in the modules take the decoded lines (any iterable of str) or, for JSON arrays, the binary
stream. `common` holds what the JSON readers share (iteration, type checks, duplicate ids).
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from annotation.readers.decode import CHUNK_SIZE, LongLine, open_text
from annotation.readers.formats.conll import read_conll
from annotation.readers.formats.doccano import read_doccano
from annotation.readers.formats.label_studio import read_label_studio
from annotation.readers.formats.native import read_json, read_jsonl
from annotation.readers.formats.tabular import read_csv, read_tsv
from annotation.readers.formats.txt import read_txt
from annotation.readers.limits import DEFAULT_LIMITS, Limits, meta_problem
from annotation.readers.records import FileError, Problem, Record

__all__ = ["READERS", "Reader", "read"]

Reader = Callable[..., Iterator[Record | Problem]]


def _lines(reader: Callable[..., Iterator[Record | Problem]], *, limited: bool = True,
           json_lines: bool = False) -> Reader:
    """A line format's reader over the decoded lines. A line longer than the limit is never
    held (`decode.LongLine`): in JSON lines it is that record's Problem, elsewhere (a line of
    a table may continue a quoted cell) the file's error. `limited`: the reader takes the
    `limits` option."""

    def read_lines(
        raw: BinaryIO, *, chunk_size: int = CHUNK_SIZE, limits: Limits = DEFAULT_LIMITS,
        **options: Any
    ) -> Iterator[Record | Problem]:
        lines: Iterable[str] = open_text(raw, chunk_size, limits.max_line_chars)
        if not json_lines:
            lines = _no_long_lines(lines, limits)
        if limited:
            options["limits"] = limits
        yield from reader(lines, **options)

    return read_lines


def _no_long_lines(lines: Iterable[str], limits: Limits) -> Iterator[str]:
    for number, line in enumerate(lines, 1):
        if type(line) is LongLine:
            raise FileError(f"Line {number:,} {limits.too_long_line(line.chars)}.")
        yield line


def _binary(reader: Callable[..., Iterator[Record | Problem]]) -> Reader:
    def read_bytes(
        raw: BinaryIO, *, chunk_size: int = CHUNK_SIZE, **options: Any
    ) -> Iterator[Record | Problem]:
        yield from reader(raw, chunk_size, **options)

    return read_bytes


READERS: dict[str, Reader] = {
    "jsonl": _lines(read_jsonl, json_lines=True),
    "json": _binary(read_json),
    "csv": _lines(read_csv),
    "tsv": _lines(read_tsv),
    "txt": _lines(read_txt, limited=False),
    "conll": _lines(read_conll, limited=False),
    "label-studio": _binary(read_label_studio),
    "doccano": _lines(read_doccano, json_lines=True),
}


# Where each format with a meta takes it from, for the field of a Problem: "" for top-level keys
# (doccano) and columns (tabular).
_META_FIELD = {"jsonl": "meta", "json": "meta", "label-studio": "data", "doccano": "",
               "csv": "", "tsv": ""}


def read(fmt: str, raw: BinaryIO, *, limits: Limits = DEFAULT_LIMITS,
         **options: Any) -> Iterator[Record | Problem]:
    """Records and problems from the binary stream `raw` in format `fmt` (see the module doc).

    Options that do not apply to `fmt` are an error (TypeError), as in a function call.
    """
    reader = READERS.get(fmt)
    if reader is None:
        raise FileError(f"Unknown format {fmt!r}; expected one of: {', '.join(READERS)}.")
    if fmt not in _META_FIELD:  # no meta, no JSON: the line limit only
        return reader(raw, limits=limits, **options)
    return _meta_checked(reader(raw, limits=limits, **options), limits, _META_FIELD[fmt])


def _meta_checked(items: Iterator[Record | Problem], limits: Limits,
                  where: str) -> Iterator[Record | Problem]:
    for item in items:
        if type(item) is Record and item.meta:
            problem = meta_problem(item, limits, where)
            if problem is not None:
                yield problem
                continue
        yield item
