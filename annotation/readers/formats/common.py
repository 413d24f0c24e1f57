"""What the JSON-based readers share: JSON-lines and JSON-array iteration, type checks that
name the offending field, and the duplicate-id check.

- JSON lines: ``line`` is the physical line (see `decode`); blank lines are skipped.
- JSON arrays: ijson gives no positions, so ``line`` is the 1-based index of the record in the
  array. A syntax error or a truncated file ends the reading with a Problem at the record where
  it happened, after the good records before it.
- A JSON ``\\ud800``-style escape of an unpaired surrogate is a Problem (it is not Unicode and
  the database would refuse it); ijson's C backend turns such escapes into "?" by itself.
"""

import json
import json.scanner
import math
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from annotation.readers.decode import LongLine, open_utf8
from annotation.readers.formats import bounded
from annotation.readers.keys import StringKeys
from annotation.readers.limits import DEFAULT_LIMITS, Limits
from annotation.readers.records import NO_SOURCE, FileError, Problem, Record, Source

_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


class Invalid(Exception):
    """One record's first problem; turned into a `Problem` by the caller."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def json_type(value: Any) -> str:
    return _TYPES.get(type(value), type(value).__name__)


def must(kind: type, value: Any, field: str) -> Any:
    """`value` if it is exactly of `kind` (so a bool is not an int), else Invalid."""
    if type(value) is not kind:
        raise Invalid(field, f"must be {_A[kind]}, got {json_type(value)}")
    return value


_A = {str: "a string", int: "an integer", dict: "an object", list: "an array"}


def ident(value: Any, field: str) -> str | None:
    """A string or integer id, as a string; None for null or ""."""
    if value is None or value == "":
        return None
    if type(value) is int or type(value) is str:
        return str(value)
    raise Invalid(field, f"must be a string or an integer, got {json_type(value)}")


def label(value: Any, field: str) -> str:
    if type(value) is str and value:
        return value
    if value is None or value == "":
        raise Invalid(field, "missing" if value is None else "must not be empty")
    raise Invalid(field, f"must be a string, got {json_type(value)}")


def sentiment(value: Any, field: str) -> str | list[str] | None:
    if value is None or type(value) is str:
        return value
    if type(value) is list and all(type(v) is str for v in value):
        return value
    raise Invalid(field, f"must be a string, a list of strings or null, got {json_type(value)}")


AGENT_MAX = 100  # Agent.name and Suggestion.model_version hold 100 characters
SOURCE_KEYS = frozenset({"agent", "model_version", "score"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def source(item: dict[str, Any], at: str) -> Source:
    """The ``agent``, ``model_version`` and ``score`` of a prediction (each may be absent
    or null); Invalid naming the bad one."""
    agent, version, score = item.get("agent"), item.get("model_version"), item.get("score")
    if agent is not None:
        if type(agent) is not str:
            raise Invalid(f"{at}.agent", f"must be a string, got {json_type(agent)}")
        if not agent.strip() or len(agent) > AGENT_MAX or _CONTROL.search(agent):
            raise Invalid(f"{at}.agent", f"an agent's name has 1 to {AGENT_MAX} characters, "
                                         f"none of them a control character")
    if version is not None:
        if type(version) is not str:
            raise Invalid(f"{at}.model_version", f"must be a string, got {json_type(version)}")
        if len(version) > AGENT_MAX:
            raise Invalid(f"{at}.model_version", f"has {len(version):,} characters; at most "
                                                 f"{AGENT_MAX}")
    if score is not None:
        score = probability(score, f"{at}.score")
    if agent is None and version is None and score is None:
        return NO_SOURCE
    return Source(agent, version, score)


def probability(value: Any, field: str) -> float:
    if type(value) is not int and type(value) is not float:
        raise Invalid(field, f"must be a number from 0 to 1, got {json_type(value)}")
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise Invalid(field, f"must be a number from 0 to 1, got {value!r}")
    return float(value)


def predicted_sentiment(value: Any, field: str) -> tuple[list[str], list[Source]]:
    """A prediction's sentiment given as objects ``{label, agent, model_version, score}``
    (alone or in a list, mixed with plain names): the names and their sources."""
    many = type(value) is list
    names: list[str] = []
    sources: list[Source] = []
    for k, item in enumerate(value if many else [value]):
        at = f"{field}[{k}]" if many else field
        if type(item) is str:
            names.append(item)
            sources.append(NO_SOURCE)
        elif type(item) is dict:
            names.append(label(item.get("label"), f"{at}.label"))
            sources.append(source(item, at))
        else:
            raise Invalid(at, f"must be a string or an object {{label, agent, model_version, "
                              f"score}}, got {json_type(item)}")
    return names, sources


class Ids:
    """Record ids seen so far in the file; a repeated one is a Problem."""

    def __init__(self, unit: str = "line") -> None:
        self.seen = StringKeys()  # id -> its first line; compact for millions of ids
        self.unit = unit

    def check(self, record: Record) -> Record | Problem:
        if record.id is None:
            return record
        first = self.seen.setdefault(record.id, record.line)
        if first != record.line:
            return Problem(
                record.line, "id", f"duplicate id {record.id!r} (first seen on {self.unit} {first})"
            )
        return record


# json.loads without its wrappers (typeshed types make_scanner as a class, hence the ignore)
_scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def json_lines(
    lines: Iterable[str], limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[int, Any] | Problem]:
    """(line number, value) for every non-blank line, or a Problem for malformed JSON or a
    record over the limits (see `bounded`)."""
    for number, line in enumerate(lines, 1):
        if type(line) is LongLine:  # never read: its length only
            yield Problem(number, "", f"the line {limits.too_long_line(line.chars)}")
            continue
        value = _line_value(line, limits)
        if value is _BLANK:
            continue
        if type(value) is Invalid:
            yield Problem(number, value.field, value.message)
            continue
        if ("\\ud" in line or "\\uD" in line) and not _encodable(value):
            field = "" if type(value) is not dict or _encodable(value.get("text")) else "text"
            yield Problem(
                number, field, "an unpaired surrogate escape (\\ud800-\\udfff) is not valid Unicode"
            )
            continue
        yield number, value


def _line_value(line: str, limits: Limits) -> Any:
    """The line's value, _BLANK, or an Invalid (not raised) saying what is wrong."""
    # n keys take 5n characters ("":0,): only a long line may hold too many; count them
    # before building it
    if len(line) > 5 * limits.max_keys and line.count(":") > limits.max_keys:
        over = bounded.line_over(line, limits)
        if over is not None:
            return Invalid(over.field, over.message)
    try:
        value, end = _scan(line, 0)
        if end != len(line) and not line[end:].isspace():
            raise ValueError("trailing data")
    except (StopIteration, ValueError, RecursionError) as exc:
        over = bounded.line_over(line, limits) if type(exc) is RecursionError else None
        if over is not None:
            return Invalid(over.field, over.message)
        value = _slow_loads(line)
        if value is _BLANK:
            return value
        if isinstance(value, str):
            return Invalid("", value)
        value = value[0]
    if line.count("{") + line.count("[") > limits.max_depth:
        field = bounded.too_deep(value, limits.max_depth)
        if field is not None:
            return Invalid(field, limits.too_deep())
    return value


_BLANK = object()


def _slow_loads(line: str) -> Any:
    """[value] (leading spaces), _BLANK, or the message of the error."""
    if not line.strip():
        return _BLANK
    try:
        return [json.loads(line)]
    except json.JSONDecodeError as exc:
        msg = exc.msg.removesuffix(" at")  # "Unterminated string starting at"
        column = min(exc.pos, len(line.rstrip("\r\n"))) + 1  # columns of this line only
        return f"malformed JSON: {msg} at column {column}"
    except RecursionError:
        return "malformed JSON: nested too deeply"


def _encodable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def json_array(
    raw: BinaryIO, chunk_size: int | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[int, Any] | Problem]:
    """(record number, value) for every item of a top-level JSON array, streamed (`bounded`)."""
    stream = open_utf8(raw, chunk_size) if chunk_size else open_utf8(raw)
    head = stream.peek().lstrip()
    while not head and stream.peek():  # a chunk of nothing but whitespace
        stream.read(len(stream.peek()))
        head = stream.peek().lstrip()
    if head[:1] != b"[":
        found = "nothing" if not head else f"'{head[:1].decode(errors='replace')}'"
        raise FileError(
            f"A JSON file must hold an array of records ([...]); this one starts "
            f"with {found}. For one record a line, choose the jsonl format."
        )
    yield from bounded.array_items(stream, limits)


def build_records(items: Iterable[tuple[int, Any] | Problem], ids: Ids,
                  make: Callable[[Any, int], Record]) -> Iterator[Record | Problem]:
    """Parsed items to records: `make` raises Invalid for a bad one, which becomes a Problem."""
    for item in items:
        if isinstance(item, Problem):
            yield item
            continue
        number, obj = item
        try:
            yield ids.check(make(obj, number))
        except Invalid as exc:
            yield Problem(number, exc.field, exc.message)
