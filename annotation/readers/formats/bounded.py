"""JSON records parsed within `Limits`: nesting depth and object keys counted while parsing.

- JSON arrays: ijson.items builds a prefix string per level ("item.meta.a.a…"), quadratic in
  the depth (a 200 KB file of 100,000 nested arrays took 21 GB). `array_items` builds each
  item from the C backend's `basic_parse` events instead (no prefixes), counts levels and
  keys as it goes, and at a limit skips the rest of that item (counting levels only) and
  goes on with the next: memory and time stay linear in the file.
- JSON lines: the json module's C scanner stays the parser (it is bounded by the
  interpreter's recursion limit). A line's own counts bound its record: ``{`` plus ``[`` is
  at least its depth, ``:`` (and a fifth of its length) at least its keys. Only a line over
  those bounds is checked: `line_over` walks the events of a line that may hold too many
  keys (before it is built), `too_deep` the parsed value of a line with more brackets than
  allowed levels.

Levels: the record (an array's item, a line's value) is level 1. The field named is the
record's key under which the limit was passed ("" for the record itself).
"""

from collections.abc import Iterator
from typing import Any, NamedTuple

import ijson

from annotation.readers.decode import Utf8Reader
from annotation.readers.limits import Limits
from annotation.readers.records import Problem


class Over(NamedTuple):
    field: str
    message: str
    open: int  # levels open when the limit was passed (to skip the rest of the item)


def build(events: Iterator[tuple[str, Any]], first: str, limits: Limits) -> Any:
    """The value that `first` (start_map or start_array, already read) opens, or an `Over`."""
    is_map = first == "start_map"
    current: Any = {} if is_map else []
    root = current
    stack: list[tuple[Any, bool, Any]] = []  # the enclosing containers, their keys
    key: Any = None
    field = ""  # the root's key being read
    keys, max_keys, max_depth = 0, limits.max_keys, limits.max_depth
    for event, value in events:
        if event == "map_key":
            keys += 1
            if keys > max_keys:
                return Over(field if stack else "", limits.too_many_keys(), len(stack) + 1)
            key = value
            if not stack:
                field = value
        elif event == "end_map" or event == "end_array":
            if not stack:
                return root
            current, is_map, key = stack.pop()
        elif event == "start_map" or event == "start_array":
            if len(stack) + 2 > max_depth:
                return Over(field, limits.too_deep(), len(stack) + 2)
            new: Any = {} if event == "start_map" else []
            if is_map:
                current[key] = new
            else:
                current.append(new)
            stack.append((current, is_map, key))
            current, is_map = new, event == "start_map"
        elif is_map:
            current[key] = value
        else:
            current.append(value)
    raise ijson.IncompleteJSONError("premature EOF")  # ijson raises it first


def skip(events: Iterator[tuple[str, Any]], open_levels: int) -> None:
    """Read on to the end of the value whose `open_levels` levels are open."""
    for event, _value in events:
        if event == "start_map" or event == "start_array":
            open_levels += 1
        elif event == "end_map" or event == "end_array":
            open_levels -= 1
            if not open_levels:
                return


MAX_READ = 1 << 20  # bytes: the largest read of a record that grows (see Metered.read)


class TooLarge(Exception):
    """A record of a JSON array passed `Metered`'s budget of bytes."""


class Metered:
    """The stream ijson reads, with a budget of bytes for one record: yajl holds a string
    whole until it ends, so a 200 MB text in an array would be held, and copied, before any
    other limit could see it. `reset` at each record; a read that starts past the budget
    raises TooLarge through ijson.

    yajl also copies a string's start again at every read, so a long string read 64 KiB at a
    time costs the square of its length over 64 KiB (a 64 MB text took 12 s): while a read
    holds no quote, reads grow with the record, up to MAX_READ (ijson's C backend takes what
    a read gives)."""

    def __init__(self, stream: Utf8Reader, budget: int) -> None:
        self.stream, self.budget, self.used = stream, budget, 0
        self.in_string = False  # the last read was (nearly) all one string's

    def read(self, size: int = -1) -> bytes:
        if self.used > self.budget:
            raise TooLarge
        # Only a string grows the reads: yajl gives all the events of a read at once, and a
        # large read of structure ([[[[…) would be as many events in memory.
        want = max(size, min(self.used, MAX_READ)) if self.in_string else size
        data = self.stream.read(want)
        parts = [data]
        left = want - len(data)
        while data and left > 0 and (data := self.stream.read(left)):
            parts.append(data)
            left -= len(data)
        out = b"".join(parts) if len(parts) > 1 else parts[0]
        self.used += len(out)
        self.in_string = out.count(b'"') < 2
        return out

    def reset(self) -> None:
        self.used = 0


def array_items(stream: Utf8Reader, limits: Limits) -> Iterator[tuple[int, Any] | Problem]:
    """(record number, value) for every item of the top-level array that `stream` holds
    (its "[" checked by the caller); a Problem for an item over a limit or malformed JSON.

    A record may take 4 bytes a character of the line limit (what a JSON line of the limit
    may take in UTF-8); a larger one ends the reading with its Problem, since the rest of it
    (a string, maybe) cannot be skipped without being held."""
    metered = Metered(stream, 4 * limits.max_line_chars)
    events = ijson.basic_parse(metered, use_float=True)
    number, inside, closed = 0, False, False
    try:
        next(events)  # start_array
        for event, value in events:
            if event == "end_array":
                closed = True
                break
            number += 1
            if event == "start_map" or event == "start_array":
                inside = True
                value = build(events, event, limits)
                if type(value) is Over:
                    skip(events, value.open)
                    inside = False
                    metered.reset()
                    yield Problem(number, value.field, value.message)
                    continue
                inside = False
            metered.reset()
            yield number, value
        for _event in events:  # what follows the array: yajl refuses anything but spaces
            pass
    except ijson.JSONError as exc:
        yield _malformed(str(exc).split("\n", 1)[0], number, inside, closed)
    except TooLarge:
        record = number if inside else number + 1
        yield Problem(record, "", f"the record takes more than {metered.budget:,} bytes "
                                  f"(4 a character of the line limit, "
                                  f"CONCORD_IMPORT_MAX_LINE_CHARS); the records after it "
                                  f"were not read")


def _malformed(reason: str, number: int, inside: bool, closed: bool) -> Problem:
    """Inside the array, the record where it happened (counted as one); after it, the file."""
    if closed:
        return Problem(0, "", f"malformed JSON after the array of records: {reason}")
    done = number - 1 if inside else number
    where = f"after record {done}" if done else "before the first record"
    return Problem(done + 1, "", f"malformed JSON {where}: {reason}")


def line_over(line: str, limits: Limits) -> Over | None:
    """Whether a JSON line's record passes a limit, read as events and without building it;
    None when it does not, or when the line is malformed (the parser then says so)."""
    events = ijson.basic_parse(line.encode("utf-8", "surrogatepass"), use_float=True)
    try:
        first, _value = next(events, ("", None))
        if first != "start_map" and first != "start_array":
            return None
        found = _count(events, first == "start_map", limits)
    except ijson.JSONError:
        return None
    return found


def _count(events: Iterator[tuple[str, Any]], is_map: bool, limits: Limits) -> Over | None:
    depth, keys, field = 1, 0, ""
    for event, value in events:
        if event == "map_key":
            keys += 1
            if keys > limits.max_keys:
                return Over(field if depth > 1 else "", limits.too_many_keys(), depth)
            if depth == 1 and is_map:
                field = value
        elif event == "start_map" or event == "start_array":
            depth += 1
            if depth > limits.max_depth:
                return Over(field, limits.too_deep(), depth)
        elif event == "end_map" or event == "end_array":
            depth -= 1
    return None


def too_deep(value: Any, max_depth: int) -> str | None:
    """The field under which a parsed record nests deeper than `max_depth` levels ("" for
    the record itself), or None."""
    if type(value) is dict:
        for key, child in value.items():
            if _deeper(child, max_depth - 1):
                return str(key)
        return None
    return "" if _deeper(value, max_depth) else None


def _deeper(value: Any, room: int) -> bool:
    """Whether `value` nests more than `room` levels of arrays and objects."""
    kind = type(value)
    if kind is not dict and kind is not list:
        return False
    if room <= 0:
        return True
    for child in value.values() if kind is dict else value:
        if (type(child) is dict or type(child) is list) and _deeper(child, room - 1):
            return True
    return False
