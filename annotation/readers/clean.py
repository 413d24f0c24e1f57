"""Text cleaning on import, with exact remapping of the spans a record carries.

`clean_record` applies, in this order:

1. Newlines: ``\\r\\n``, a lone ``\\r``, NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH
   SEPARATOR (U+2029) all become ``\\n``. Only ``\\r\\n`` changes the length (the ``\\r`` is
   dropped); the others are replaced one for one. U+2028/U+2029 are converted because browsers,
   tokenizers and ``str.splitlines`` disagree about them, and the replacement keeps offsets.
2. Control characters (Unicode category Cc) other than ``\\n`` and ``\\t`` are removed. Format
   characters (Cf: ZWJ U+200D, ZWNJ, variation selectors, bidi marks) are kept: ZWJ is part of
   emoji sequences and bidi marks matter for right-to-left text.
3. Unicode NFC normalization. Only the segments NFC actually changes are rewritten; a segment
   starts at a character that is a normalization boundary (canonical combining class 0, NFC
   quick-check Yes), as in ICU's ``hasBoundaryBefore``.

Every entity of every labelling (annotations, gold, predictions) is remapped so that it covers
the same characters. A span that cannot be remapped is reported as a `Problem`, never shifted:
a boundary strictly inside a sequence that NFC rewrites ("e" + U+0301 -> "é"), or a span that
held nothing but removed characters.

`clean_record` never mutates its argument: it returns the same object when nothing changes (the
fast path allocates nothing), and otherwise a new `Record` whose labellings hold new `Entity`
objects (relations are shared, they hold no offsets).
"""

import dataclasses
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from functools import cache

from annotation.readers.records import Entity, Labelling, Problem, Record

__all__ = ["CleanStats", "OffsetMap", "clean_record", "clean_text", "is_blank", "remap_record"]

# Anything step 1 or 2 would touch: every Cc except \t and \n, plus U+2028/U+2029.
_NEEDS_WORK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_OR_CONTROL = re.compile(
    "\r\n|[\r\x85\u2028\u2029]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]+"
)
_BLANK = re.compile("[\\s\u200b-\u200d\u2060\ufeff]*")
_HANGUL_V_T = [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]

Edit = tuple[int, int, int]  # old [start, end) is replaced by `length` new characters
SpanMapper = Callable[[int, int], tuple[int, int] | str]  # new (start, end), or why not


@dataclasses.dataclass
class CleanStats:
    records: int = 0  # records seen
    changed: int = 0  # records whose text changed
    newlines: int = 0  # records whose newlines were normalized
    controls: int = 0  # control characters removed, over all records
    normalized: int = 0  # records NFC changed


class OffsetMap:
    """Old offsets -> new ones through sorted, non-overlapping edits.

    An offset strictly inside an edit has no image (`map` answers None), except inside a
    deletion, where every offset maps to the deletion point.
    """

    def __init__(self, edits: list[Edit]) -> None:
        self.edits = edits
        self._starts = [a for a, _, _ in edits]
        self._shift: list[int] = []
        shift = 0
        for a, b, n in edits:
            self._shift.append(shift)
            shift += n - (b - a)

    def inside(self, p: int) -> int:
        """Index of the edit whose interior holds `p`, or -1."""
        i = bisect_right(self._starts, p) - 1
        return i if i >= 0 and p < self.edits[i][1] and p != self.edits[i][0] else -1

    def map(self, p: int) -> int | None:
        i = bisect_right(self._starts, p) - 1
        if i < 0:
            return p
        a, b, n = self.edits[i]
        shift = self._shift[i]
        if p >= b:
            return p + shift + n - (b - a)
        if p == a or n == 0:
            return a + shift
        return None


def is_blank(text: str) -> bool:
    """True for a text of nothing but whitespace and zero-width characters (ZWSP, ZWJ, BOM)."""
    return _BLANK.fullmatch(text) is not None


def _needs_cleaning(text: str) -> bool:
    return _NEEDS_WORK.search(text) is not None or not unicodedata.is_normalized("NFC", text)


def clean_text(text: str) -> str:
    """The cleaned text alone (for records without spans)."""
    if not _needs_cleaning(text):
        return text
    return unicodedata.normalize("NFC", _fix_lines(text, [], None))


def _fix_lines(text: str, edits: list[Edit], stats: CleanStats | None) -> str:
    """Step 1 and 2; appends the length-changing edits (deletions) to `edits`."""

    def replace(match: re.Match[str]) -> str:
        found = match.group()
        if found == "\r\n":
            edits.append((match.start(), match.start() + 1, 0))
            return "\n"
        if len(found) == 1 and found in "\r\x85\u2028\u2029":
            return "\n"
        edits.append((match.start(), match.end(), 0))
        if stats is not None:
            stats.controls += len(found)
        return ""

    return _LINE_OR_CONTROL.sub(replace, text)


@cache
def _unstable() -> re.Pattern[str]:
    """Runs of characters that NFC may reorder, compose or rewrite.

    A superset is safe (segments just get longer), so every astral character is included: one
    range is much faster for `re` than the ~800 astral code points that really qualify.
    """
    odd = set(_HANGUL_V_T)
    for cp in range(0x30000):  # nothing above plane 2 decomposes
        char = chr(cp)
        if cp < 0x10000 and (
            unicodedata.combining(char) or unicodedata.normalize("NFC", char) != char
        ):
            odd.add(cp)
        parts = unicodedata.decomposition(char).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            odd.add(int(parts[1], 16))  # can compose with what precedes it (NFC_QC=Maybe)
    ranges: list[list[int]] = []
    for cp in sorted(c for c in odd if c < 0xD800 or 0xE000 <= c < 0x10000):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    cls = "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)
    return re.compile(f"[{cls}\U00010000-\U0010ffff]+")


def _common_ends(old: str, new: str) -> tuple[int, int]:
    """Lengths of the common prefix and of the common suffix after it."""
    if old[0] != new[0] and old[-1] != new[-1]:
        return 0, 0  # the usual case: a base letter composed with its marks
    most = min(len(old), len(new))
    prefix = 0
    while prefix < most and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < most - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix, suffix


def _normalize(text: str, edits: list[Edit]) -> str:
    """NFC, segment by segment; appends one edit per changed (trimmed) segment.

    A segment is a run of unstable characters plus the stable starter before it.
    """
    pieces: list[str] = []
    done = 0
    for match in _unstable().finditer(text):
        start, end = max(match.start() - 1, 0), match.end()
        seg = text[start:end]
        new = unicodedata.normalize("NFC", seg)
        if new == seg:
            continue
        prefix, suffix = _common_ends(seg, new)
        a, b = start + prefix, end - suffix
        pieces += [text[done:a], new[prefix : len(new) - suffix]]
        edits.append((a, b, len(new) - prefix - suffix))
        done = b
    pieces.append(text[done:])
    return "".join(pieces)


def _labellings(record: Record) -> list[tuple[str, Labelling]]:
    found = [(f"annotations[{i}]", lab) for i, (_, lab) in enumerate(record.annotations)]
    for name in ("gold", "predictions"):
        lab = getattr(record, name)
        if lab is not None:
            found.append((name, lab))
    return found


def remap_record(record: Record, text: str, mapper: SpanMapper) -> Record | Problem:
    """A copy of `record` with `text` and every entity mapped, or the first span that can't be."""
    mapped: dict[int, Labelling] = {}
    for path, lab in _labellings(record):
        entities: list[Entity] = []
        for j, entity in enumerate(lab.entities):
            span = mapper(entity.start, entity.end)
            if isinstance(span, str):
                return Problem(record.line, f"{path}.entities[{j}]", span)
            entities.append(dataclasses.replace(entity, start=span[0], end=span[1]))
        mapped[id(lab)] = dataclasses.replace(lab, entities=entities)
    return dataclasses.replace(
        record,
        text=text,
        annotations=[(user, mapped[id(lab)]) for user, lab in record.annotations],
        gold=None if record.gold is None else mapped[id(record.gold)],
        predictions=None if record.predictions is None else mapped[id(record.predictions)],
    )


def _clean_mapper(lines: OffsetMap, nfc: OffsetMap) -> SpanMapper:
    def mapper(start: int, end: int) -> tuple[int, int] | str:
        s1, e1 = lines.map(start), lines.map(end)
        assert s1 is not None  # deletions only: every offset has an image
        assert e1 is not None
        s2, e2 = nfc.map(s1), nfc.map(e1)
        if s2 is None or e2 is None:
            return (
                f"span [{start}, {end}) splits a character sequence that normalization merges; "
                "move the boundary outside the combined character"
            )
        if s2 >= e2:
            return f"span [{start}, {end}) holds only control characters that cleaning removes"
        return s2, e2

    return mapper


def clean_record(record: Record, stats: CleanStats | None = None) -> Record | Problem:
    """The record with its text cleaned and its spans remapped; see the module docstring.

    Offset maps are built only when the text changes and the record carries spans; otherwise
    NFC runs on the whole text at C speed.
    """
    if stats is not None:
        stats.records += 1
    text = record.text
    if not _needs_cleaning(text):
        return record
    line_edits: list[Edit] = []
    fixed = _fix_lines(text, line_edits, stats)
    nfc_edits: list[Edit] = []
    spans = any(lab.entities for lab in record.labellings())
    normalized = not unicodedata.is_normalized("NFC", fixed)
    if normalized:
        fixed = _normalize(fixed, nfc_edits) if spans else unicodedata.normalize("NFC", fixed)
    if stats is not None:
        stats.changed += fixed != text
        stats.normalized += normalized
        stats.newlines += "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text
    if fixed == text:
        return record
    if not spans:
        return dataclasses.replace(record, text=fixed)
    return remap_record(record, fixed, _clean_mapper(OffsetMap(line_edits), OffsetMap(nfc_edits)))
