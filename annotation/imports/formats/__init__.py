"""The format readers, by name.

Every reader in `READERS` takes the BINARY stream of the uploaded file (positioned at its
start) and keyword options, and yields `Record`s and `Problem`s one at a time; a `FileError`
means the file as a whole cannot be read. Line formats decode the stream with
`decode.open_text`; ``json`` and ``label-studio`` give ijson a validated UTF-8 byte stream
(`decode.open_utf8`), so ijson's C backend parses bytes directly.

Options: ``text_column`` and ``id_column`` (csv, tsv), ``txt_mode`` (txt), and for every format
``chunk_size``, the decoding chunk in bytes (tests make it small). The per-format functions
in the modules take the decoded lines (any iterable of str) or, for JSON arrays, the binary
stream. `common` holds what the JSON readers share (iteration, type checks, duplicate ids).
"""

from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from annotation.imports.decode import CHUNK_SIZE, open_text
from annotation.imports.formats.conll import read_conll
from annotation.imports.formats.doccano import read_doccano
from annotation.imports.formats.label_studio import read_label_studio
from annotation.imports.formats.native import read_json, read_jsonl
from annotation.imports.formats.tabular import read_csv, read_tsv
from annotation.imports.formats.txt import read_txt
from annotation.imports.records import FileError, Problem, Record

__all__ = ["READERS", "Reader", "read"]

Reader = Callable[..., Iterator[Record | Problem]]


def _lines(reader: Callable[..., Iterator[Record | Problem]]) -> Reader:
    def read_lines(
        raw: BinaryIO, *, chunk_size: int = CHUNK_SIZE, **options: Any
    ) -> Iterator[Record | Problem]:
        yield from reader(open_text(raw, chunk_size), **options)

    return read_lines


def _binary(reader: Callable[..., Iterator[Record | Problem]]) -> Reader:
    def read_bytes(
        raw: BinaryIO, *, chunk_size: int = CHUNK_SIZE, **options: Any
    ) -> Iterator[Record | Problem]:
        yield from reader(raw, chunk_size, **options)

    return read_bytes


READERS: dict[str, Reader] = {
    "jsonl": _lines(read_jsonl),
    "json": _binary(read_json),
    "csv": _lines(read_csv),
    "tsv": _lines(read_tsv),
    "txt": _lines(read_txt),
    "conll": _lines(read_conll),
    "label-studio": _binary(read_label_studio),
    "doccano": _lines(read_doccano),
}


def read(fmt: str, raw: BinaryIO, **options: Any) -> Iterator[Record | Problem]:
    """Records and problems from the binary stream `raw` in format `fmt` (see the module doc).

    Options that do not apply to `fmt` are an error (TypeError), as in a function call.
    """
    reader = READERS.get(fmt)
    if reader is None:
        raise FileError(f"Unknown format {fmt!r}; expected one of: {', '.join(READERS)}.")
    return reader(raw, **options)
