"""Texts longer than the limit (`CONCORD_MAX_DOCUMENT_CHARS`): a Problem, or parts.

`limit_record` runs on each record as read, before cleaning, PII, hashing or near-duplicate
detection, so an over-long text costs nothing but its parsing. With ``long_texts=error`` such
a record is a Problem naming its length and the limit. With ``long_texts=split`` it becomes
parts of at most `limit` code points, each cut after a paragraph break, else a line break,
else a sentence end, else whitespace, found within the last `WINDOW` code points before the
limit; failing those, the cut moves back out of a grapheme cluster (combining marks, ZWJ
sequences, variation selectors, emoji modifiers, tags) and never falls inside ``\\r\\n``.

Each part is a record of its own: id ``<id>#1``, ``<id>#2``... (none without an id), its
`meta` the record's plus ``split_from`` (the record's id), ``split_part`` (1-based) and
``split_parts``. Every labelling goes to every part: entities to the part that holds them,
offsets shifted by the part's start; relations with their entities; the sentiment to every
part. A span across a cut, or a relation between entities of two parts, is a Problem: it is
never shifted silently (DESIGN.md, Offsets).
"""

import re
import unicodedata
from bisect import bisect_right
from dataclasses import replace

from annotation.readers.records import Entity, Labelling, Problem, Record

__all__ = ["LONG_TEXTS", "cut_points", "describe_key", "finder_key", "limit_record"]

LONG_TEXTS = ("error", "split")
WINDOW = 10_000
_PART_FLAG = 1 << 62
_PART_BITS = 24
_SENTENCE = re.compile(r"[.!?…]\s+|[。！？]")
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}


def limit_record(record: Record, *, limit: int, mode: str) -> list[Record] | Problem:
    """[record] when its text is within `limit` code points; else its parts or a Problem."""
    length = len(record.text)
    if length <= limit:
        return [record]
    if mode != "split":
        return Problem(record.line, "text",
                       f"the text is {length:,} code points; the limit is {limit:,} "
                       f"(CONCORD_MAX_DOCUMENT_CHARS). Import with long_texts=split to cut "
                       f"it into documents of at most {limit:,} code points.")
    return split_record(record, cut_points(record.text, limit))


def cut_points(text: str, limit: int) -> list[int]:
    """[0, cut, cut..., len(text)]: no two consecutive points more than `limit` apart."""
    points = [0]
    while len(text) - points[-1] > limit:
        points.append(_cut(text, points[-1], points[-1] + limit))
    points.append(len(text))
    return points


def _cut(text: str, start: int, end: int) -> int:
    low = max(start + 1, end - WINDOW)
    for mark in ("\n\n", "\n"):  # a paragraph, else a line
        found = text.rfind(mark, low, end)
        if found >= 0:
            return found + len(mark)
    sentence = [m.end() for m in _SENTENCE.finditer(text, low, end)]
    if sentence:
        return sentence[-1] - (text[sentence[-1] - 1:sentence[-1] + 1] == "\r\n")
    for i in range(end - 1, low - 1, -1):
        if text[i].isspace() and text[i] != "\r":
            return i + 1
    return _grapheme_safe(text, start, end)


def _grapheme_safe(text: str, start: int, cut: int) -> int:
    """`cut`, moved back (at most 32 code points) so that it splits no cluster."""
    for _ in range(32):
        if cut - 1 <= start or not _inside(text, cut):
            break
        cut -= 1
    return cut


def _inside(text: str, at: int) -> bool:
    here, before = text[at], text[at - 1]
    return (unicodedata.category(here).startswith("M") or here in _JOINERS
            or before == "\u200d" or "\U0001f3fb" <= here <= "\U0001f3ff"
            or "\U000e0020" <= here <= "\U000e007f" or (before == "\r" and here == "\n"))


def split_record(record: Record, cuts: list[int]) -> list[Record] | Problem:
    total = len(cuts) - 1
    pieces: list[list[Labelling]] = []
    for where, lab in _labellings(record):
        split = _split_labelling(record, lab, cuts, where)
        if isinstance(split, Problem):
            return split
        pieces.append(split)
    parts = []
    for n in range(total):
        labs = iter(piece[n] for piece in pieces)
        annotations = [(who, next(labs)) for who, _ in record.annotations]
        gold = next(labs) if record.gold is not None else None
        predictions = next(labs) if record.predictions is not None else None
        meta = {**record.meta, "split_from": record.id, "split_part": n + 1,
                "split_parts": total}
        parts.append(replace(
            record, text=record.text[cuts[n]:cuts[n + 1]], meta=meta, part=n + 1,
            id=f"{record.id}#{n + 1}" if record.id else None,
            annotations=annotations, gold=gold, predictions=predictions))
    return parts


def _labellings(record: Record) -> list[tuple[str, Labelling]]:
    found = [(f"annotations[{i}]", lab) for i, (_, lab) in enumerate(record.annotations)]
    return found + [(name, lab) for name, lab in (("gold", record.gold),
                                                   ("predictions", record.predictions))
                    if lab is not None]


def _split_labelling(record: Record, lab: Labelling, cuts: list[int], where: str
                     ) -> list[Labelling] | Problem:
    out = [replace(lab, entities=[], relations=[]) for _ in cuts[1:]]  # keeps sources
    part_of: dict[str, int] = {}
    for i, entity in enumerate(lab.entities):
        start, end, at = entity.start, entity.end, f"{where}.entities[{i}]"
        if start < 0 or end > cuts[-1] or start >= end:
            return Problem(record.line, at, f"bad offsets [{start}, {end}) for a text of "
                                            f"{cuts[-1]:,} code points")
        n = bisect_right(cuts, start) - 1
        if end > cuts[n + 1]:
            return Problem(record.line, at,
                           f"the span [{start}, {end}) crosses the cut at {cuts[n + 1]:,} "
                           f"between parts {n + 1} and {n + 2} of the long text; it is not "
                           f"shifted (change the limit or the span)")
        name = entity.id if entity.id is not None else f"T{i + 1}"  # the pipeline's name
        part_of[name] = n
        out[n].entities.append(
            Entity(start - cuts[n], end - cuts[n], entity.label, name) if type(entity) is Entity
            else replace(entity, start=start - cuts[n], end=end - cuts[n], id=name))
    for i, relation in enumerate(lab.relations):
        head, tail = part_of.get(relation.head, 0), part_of.get(relation.tail, 0)
        if head != tail:
            return Problem(record.line, f"{where}.relations[{i}]",
                           f"the relation joins entities of parts {head + 1} and {tail + 1} "
                           f"of the long text")
        out[head].relations.append(relation)
    return out


def finder_key(line: int, part: int) -> int:
    """The near-duplicate key of a record (its line) or of a part of one."""
    return line if not part else _PART_FLAG | (line << _PART_BITS) | part


def describe_key(key: int) -> dict[str, int]:
    """{"line": n}, or {"line": n, "part": p} for a part (a positive `finder_key`)."""
    if not key & _PART_FLAG:
        return {"line": key}
    return {"line": (key & ~_PART_FLAG) >> _PART_BITS, "part": key & ((1 << _PART_BITS) - 1)}
