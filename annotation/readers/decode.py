"""Streaming decoding of an uploaded file, and the guess of its format.

Encoding: a UTF-8 byte-order mark is skipped; a UTF-16 LE or BE mark selects UTF-16. Without a
mark the file is UTF-8, except that a head shaped like ASCII in UTF-16 (``xx 00 xx 00`` or
``00 xx 00 xx``) is read as UTF-16 LE or BE. The bytes are decoded incrementally, chunk by chunk
(1 MiB by default), so a file is never held in memory whole.

Bad bytes raise `FileError` whose ``byte_offset`` is the absolute offset in the file (the mark
counted) of the first byte of the first invalid sequence.

A *line* ends at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (as ``open(..., newline="")`` splits), and
keeps its ending. Line numbers are 1-based and count those endings: ``"a\\r\\nb\\rc\\n"`` has the
lines 1 ``a``, 2 ``b``, 3 ``c``. Other separators (U+2028, NEL, form feed) do not end a line.
"""

import codecs
import io
import json
import re
from collections.abc import Iterator
from typing import BinaryIO

import ijson

from annotation.readers.records import FileError

__all__ = ["CHUNK_SIZE", "LongLine", "TextLines", "Utf8Reader", "open_text", "open_utf8",
           "sniff_format"]

CHUNK_SIZE = 1 << 20
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_NAMES = {"utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}


def _detect(head: bytes) -> tuple[str, int]:
    """(codec, length of the byte-order mark)."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    if len(head) >= 4:
        if head[0] and not head[1] and head[2] and not head[3]:
            return "utf-16-le", 0
        if not head[0] and head[1] and not head[2] and head[3]:
            return "utf-16-be", 0
    return "utf-8", 0


class _Source:
    """Decoded chunks of a binary stream, with the absolute offset of bad bytes."""

    def __init__(self, raw: BinaryIO, chunk_size: int = CHUNK_SIZE) -> None:
        self.raw, self.chunk_size = raw, max(4, chunk_size)
        head = raw.read(self.chunk_size)
        while 0 < len(head) < 4 and (more := raw.read(self.chunk_size)):
            head += more
        self.encoding, bom = _detect(head)
        if len(head) <= bom:
            raise FileError("The file is empty.", byte_offset=0)
        self._first: bytes | None = head[bom:]
        self.offset = bom  # absolute offset of the next byte to decode
        self._decoder = codecs.getincrementaldecoder(self.encoding)()
        self.done = False

    def next_chunk(self) -> tuple[bytes, str]:
        """The next raw bytes and their text; (b"", "") once the file is exhausted."""
        if self.done:
            return b"", ""
        data, self._first = self._first, None
        if data is None:
            data = self.raw.read(self.chunk_size)
        if not data:
            self.done = True
            return b"", self._decode(b"", final=True)
        return data, self._decode(data, final=False)

    def _decode(self, data: bytes, *, final: bool) -> str:
        pending = self._decoder.getstate()[0]
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            seen = pending + data
            offset = self.offset - len(pending) + exc.start
            raise FileError(
                f"The file is not valid {_NAMES[self.encoding]} at byte {offset} "
                f"(0x{seen[exc.start]:02x}: {exc.reason}). Save it as UTF-8 and try again.",
                byte_offset=offset,
            ) from None
        self.offset += len(data)
        return text


class LongLine(str):
    """In place of a line longer than `TextLines`' ``max_line_chars``: an empty string (the
    line itself was never held), with the line's length, ``chars``."""

    chars: int

    def __new__(cls, chars: int) -> "LongLine":
        line = super().__new__(cls, "")
        line.chars = chars
        return line


class TextLines:
    """The lines of a binary stream, decoded, endings kept: iterate it like a text file.

    A line longer than ``max_line_chars`` (its ending included) is never joined in memory: its
    chunks are dropped as they come, and a `LongLine` stands in its place, so the memory is
    bounded by the limit plus a chunk, whatever the file holds."""

    def __init__(self, raw: BinaryIO, chunk_size: int = CHUNK_SIZE,
                 max_line_chars: int | None = None) -> None:
        self._source = _Source(raw, chunk_size)
        self.encoding = self._source.encoding
        self.max_line_chars = max_line_chars
        self._lines = self._generate()

    def __iter__(self) -> Iterator[str]:
        return self._lines

    def _generate(self) -> Iterator[str]:
        partial = _Partial(self.max_line_chars)  # the start of a line no chunk has ended yet
        while True:
            _, text = self._source.next_chunk()
            final = self._source.done
            if not text:
                if final:
                    break
                continue
            if partial.ends_cr and text[0] != "\n":  # a lone \r ended the line
                yield partial.finish("")
            end = len(text) - 1 if not final and text[-1] == "\r" else len(text)
            cut = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end)) + 1
            if not cut:
                partial.add(text)
                continue
            lines = io.StringIO(text[:cut], newline="")
            if partial.started:  # it ends at this chunk's first line end
                yield partial.finish(next(lines))
            yield from map(self._bounded, lines)
            if cut < len(text):
                partial.add(text[cut:])
        if partial.started:
            yield partial.finish("")

    def _bounded(self, line: str) -> str:
        if self.max_line_chars is not None and len(line) > self.max_line_chars:
            return LongLine(len(line))
        return line


class _Partial:
    """The pieces of the line being read, dropped once they pass the limit."""

    def __init__(self, limit: int | None) -> None:
        self.limit, self.chars = limit, 0
        self.parts: list[str] = []
        self.started = self.ends_cr = False

    def add(self, text: str) -> None:
        self.started, self.ends_cr = True, text.endswith("\r")
        self.chars += len(text)
        if self.limit is not None and self.chars > self.limit:
            self.parts = []  # too long already: keep counting, hold nothing
        else:
            self.parts.append(text)

    def finish(self, rest: str) -> str:
        chars = self.chars + len(rest)
        too_long = self.limit is not None and chars > self.limit
        line = LongLine(chars) if too_long else "".join([*self.parts, rest])
        self.parts, self.chars, self.started, self.ends_cr = [], 0, False, False
        return line


class Utf8Reader:
    """A binary stream of validated UTF-8 (no byte-order mark), for ijson."""

    def __init__(self, raw: BinaryIO, chunk_size: int = CHUNK_SIZE) -> None:
        self._source = _Source(raw, chunk_size)
        self.encoding = self._source.encoding
        self._buffer, self._at = b"", 0

    def peek(self) -> bytes:
        """Some bytes from the current position, without consuming them (b"" at the end)."""
        while self._at >= len(self._buffer) and not self._source.done:
            self._buffer, self._at = self._next(), 0
        return self._buffer[self._at :]

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        if size < 0:
            out = [self.peek()]
            while not self._source.done:
                out.append(self._next())
            self._buffer, self._at = b"", 0
            return b"".join(out)
        self.peek()
        out_bytes = self._buffer[self._at : self._at + size]
        self._at += len(out_bytes)
        return out_bytes

    def _next(self) -> bytes:
        data, text = self._source.next_chunk()
        return data if self.encoding == "utf-8" else text.encode("utf-8")


def open_text(raw: BinaryIO, chunk_size: int = CHUNK_SIZE,
              max_line_chars: int | None = None) -> TextLines:
    return TextLines(raw, chunk_size, max_line_chars)


def open_utf8(raw: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Utf8Reader:
    return Utf8Reader(raw, chunk_size)


# Format guessing ---------------------------------------------------------------------------

_TAG = re.compile(r"(?:O|[BIESLU]-\S+)")
_LS_RESULT = ("item.annotations.item", "item.predictions.item", "item.completions.item")
_DOCCANO_HINT = re.compile(r'"(?:label|entities)"\s*:\s*\[')
_CONLL = ("conll", "conll03", "bio", "iob", "bioes")
_EXTENSIONS = {"csv": "csv", "tsv": "tsv", "tab": "tsv"} | dict.fromkeys(_CONLL, "conll")


def _head_text(head: bytes) -> str:
    codec, bom = _detect(head)
    return codecs.getincrementaldecoder(codec)("replace").decode(head[bom:])


def _array_kind(head: bytes) -> str:
    """label-studio or json, from the keys of the first item (a truncated head is fine).

    The path is ijson.parse's prefix, kept from basic_parse's events and joined only where it
    is short: a prefix string per event is quadratic in the depth (64 KiB of "[" took 35 s)."""
    keys: set[str] = set()
    path: list[str | None] = []
    try:
        for event, value in ijson.basic_parse(io.BytesIO(head)):
            if event == "map_key":
                path[-1] = value
                if len(path) == 2 and path[0] == "item":
                    keys.add(value)
                elif value == "result" and len(path) == 4 and ".".join(
                        str(part) for part in path[:3]) in _LS_RESULT:
                    return "label-studio"
            elif event == "start_map":
                path.append(None)
            elif event == "start_array":
                path.append("item")
            elif event == "end_map" or event == "end_array":
                path.pop()
                if event == "end_map" and path == ["item"]:
                    break
    except ijson.JSONError:
        pass
    return "label-studio" if "data" in keys and "text" not in keys else "json"


def _is_doccano(obj: object) -> bool:
    """Native records have neither key at the top (the jsonl reader refuses them)."""
    return isinstance(obj, dict) and ("label" in obj or "entities" in obj)


def _line_kind(first_line: str) -> str:
    """doccano or jsonl, from the first line (which may be cut short)."""
    try:
        obj = json.loads(first_line)
    except (ValueError, RecursionError):
        native = any(f'"{key}"' in first_line for key in ("annotations", "gold", "predictions"))
        return "doccano" if _DOCCANO_HINT.search(first_line) and not native else "jsonl"
    return "doccano" if _is_doccano(obj) else "jsonl"


def _looks_conll(text: str) -> bool:
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    if not lines:
        return False
    if lines[0].startswith("-DOCSTART-"):
        return True
    tagged = sum(1 for line in lines if len(cols := line.split()) >= 2 and _TAG.fullmatch(cols[-1]))
    return tagged >= max(2, 0.9 * len(lines))


def sniff_format(name: str, head: bytes) -> str:
    """Guess the format from the file name and its first bytes (64 KiB is plenty)."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    text = _head_text(head).lstrip()
    if text.startswith("["):
        return _array_kind(text.encode())
    if text.startswith("{"):
        return _line_kind(text.split("\n", 1)[0])
    if ext in ("json", "jsonl", "ndjson", "jsonlines"):
        return "json" if ext == "json" else "jsonl"
    if _looks_conll(text):
        return "conll"
    header = text.split("\n", 1)[0].rstrip("\r")
    for fmt, delimiter in (("tsv", "\t"), ("csv", ",")):
        if ext != "txt" and "text" in header.replace('"', "").split(delimiter):
            return fmt
    return "txt"
