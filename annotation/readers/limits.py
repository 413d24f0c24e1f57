"""Bounds on what one record of an import may hold (docs/security.md, Limits).

The import service fills `Limits` from the ``CONCORD_IMPORT_*`` settings and gives it to the
readers as their ``limits`` option; the defaults here are the settings' defaults. A record
over a limit is a Problem naming its line, the field, the limit and the setting to change.

- ``max_depth``, ``max_keys``: the nesting of arrays and objects in a JSON record (the record
  object is level 1) and its object keys at every level, checked while the record is parsed
  (`formats.bounded`), so that a hostile record costs memory and time linear in its size.
- ``max_line_chars``: a line of a line format (jsonl, doccano, csv, tsv, txt, conll), read
  without ever holding a longer one (`decode.TextLines`): the bound on a record's memory.
- ``max_meta_keys``, ``max_meta_key_chars``, ``max_meta_value_chars``: a document's ``meta``
  (its keys become columns and filters of exports and lists), whatever the format.
"""

import json
from dataclasses import dataclass

from annotation.readers.records import Problem, Record


@dataclass(frozen=True)
class Limits:
    max_depth: int = 32  # CONCORD_IMPORT_MAX_DEPTH
    max_keys: int = 100_000  # CONCORD_IMPORT_MAX_KEYS
    max_meta_keys: int = 100  # CONCORD_IMPORT_MAX_META_KEYS
    max_meta_key_chars: int = 200  # CONCORD_IMPORT_MAX_META_KEY_CHARS
    max_meta_value_chars: int = 100_000  # CONCORD_IMPORT_MAX_META_VALUE_CHARS
    max_line_chars: int = 16_000_000  # CONCORD_IMPORT_MAX_LINE_CHARS

    def too_long_line(self, chars: int) -> str:
        return (f"holds {chars:,} characters; a line may hold {self.max_line_chars:,} (the "
                f"limit, CONCORD_IMPORT_MAX_LINE_CHARS)")

    def too_deep(self) -> str:
        return (f"nested deeper than {self.max_depth:,} levels of arrays and objects "
                f"(the limit, CONCORD_IMPORT_MAX_DEPTH)")

    def too_many_keys(self) -> str:
        return (f"more than {self.max_keys:,} object keys in one record "
                f"(the limit, CONCORD_IMPORT_MAX_KEYS)")


DEFAULT_LIMITS = Limits()


def meta_problem(record: Record, limits: Limits, where: str) -> Problem | None:
    """The first thing wrong with the record's meta, if any. `where` names the meta in the
    file: "meta" (native), "data" (Label Studio), "" (doccano's and tabular keys are top level).
    """
    meta = record.meta
    if len(meta) > limits.max_meta_keys:
        return Problem(record.line, where,
                       f"{len(meta):,} meta keys; the limit is {limits.max_meta_keys:,} "
                       f"(CONCORD_IMPORT_MAX_META_KEYS)")
    key_chars, value_chars = limits.max_meta_key_chars, limits.max_meta_value_chars
    for key, value in meta.items():
        if len(key) > key_chars:
            return Problem(record.line, _field(where, _short(key)),
                           f"a meta key of {len(key):,} characters; the limit is "
                           f"{key_chars:,} (CONCORD_IMPORT_MAX_META_KEY_CHARS)")
        kind = type(value)
        if kind is str:
            size = len(value)
        elif kind is dict or kind is list:
            size = len(json.dumps(value, ensure_ascii=False))
        else:
            continue  # a number, a boolean, null
        if size > value_chars:
            return Problem(record.line, _field(where, key),
                           f"a meta value of {size:,} characters; the limit is "
                           f"{value_chars:,} (CONCORD_IMPORT_MAX_META_VALUE_CHARS)")
    return None


def _field(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _short(key: str) -> str:
    return key if len(key) <= 40 else f"{key[:40]}…"
