"""The hostile files of the `hostile` scenario (bench/scenarios/hostile.py), written in
pieces: nothing big is built in memory."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DEPTH = 100_000
COLUMNS = 1_000_000
META_KEYS = 1_000_000
LABELS = 100_000
LINE_BYTES = 200 * 1024 * 1024
ALLOWED_CHARS = 15_500_000

Writer = Callable[[Path], None]


def write_deep_json(path: Path) -> None:
    """A JSON array nested DEPTH deep: [[[[…]]]]."""
    path.write_text("[" * DEPTH + "]" * DEPTH)


def write_deep_meta(path: Path) -> None:
    """One JSONL record whose meta nests DEPTH objects: {"a":{"a":…{}}}."""
    path.write_text('{"text": "x", "meta": ' + '{"a":' * DEPTH + "{}" + "}" * DEPTH + "}\n")


def _write_words(path: Path, head: bytes, tail: bytes, seed: int) -> None:
    """`head`, LINE_BYTES of random lower-case words, 4 MB at a time, then `tail`."""
    rng = np.random.default_rng(seed)
    alphabet = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz     ", dtype=np.uint8)
    chunk = 4 * 1024 * 1024
    with path.open("wb") as out:
        out.write(head)
        for _ in range(LINE_BYTES // chunk):
            out.write(alphabet[rng.integers(0, len(alphabet), size=chunk)].tobytes())
        out.write(tail)


def write_long_line(path: Path) -> None:
    """One JSONL record whose text is LINE_BYTES of random lower-case words."""
    _write_words(path, b'{"text": "', b'"}\n', seed=15)


def write_long_array_text(path: Path) -> None:
    """A JSON array whose second record's text is LINE_BYTES of words: the parser would hold
    the string whole."""
    _write_words(path, b'[{"text": "first"}, {"text": "', b'"}, {"text": "third"}]', seed=17)


def write_long_allowed(path: Path) -> None:
    """One JSONL record just under the line limit (16M characters): ALLOWED_CHARS code points
    of Chinese sentences with emoji, which a split import cuts into documents of a million."""
    rng = np.random.default_rng(16)
    words = np.array(["阿里巴巴", "北京", "东京", "山田", "🎉", "👩‍👩‍👧", "مرحبا", "Alice", "在",
                      "的", "。 "])
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"text": "')
        while written < ALLOWED_CHARS:  # random sentences, a block at a time: no duplicates
            block = "".join(words[rng.integers(0, len(words), size=100_000)])
            block = block[:ALLOWED_CHARS - written]
            out.write(block)
            written += len(block)
        out.write('"}\n')


def _write_joined(out: Any, items: Callable[[int], str], n: int, step: int = 10_000) -> None:
    for first in range(0, n, step):
        out.write(("," if first else "") + ",".join(items(i)
                                                   for i in range(first, min(n, first + step))))


def write_wide_csv(path: Path) -> None:
    """A CSV whose header names COLUMNS columns (text, id, then c2…), with two rows."""
    with path.open("w", encoding="utf-8") as out:
        out.write("text,id,")
        _write_joined(out, lambda i: f"c{i}", COLUMNS - 2)
        for row in (1, 2):
            out.write(f"\nrow {row} of a very wide file,r{row},")
            _write_joined(out, lambda i: "v", COLUMNS - 2)
        out.write("\n")


def write_many_keys(path: Path) -> None:
    """One JSONL record whose meta holds META_KEYS keys, written tight so that the line stays
    under the line limit and the key limits are what refuse it."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"text": "a record with many meta keys", "meta": {')
        _write_joined(out, lambda i: f'"{i:x}":0', META_KEYS)
        out.write("}}\n")


def write_labels(path: Path) -> None:
    """1,000 JSONL records, each a gold of 100 entities: LABELS distinct entity labels."""
    per_doc = 100
    with path.open("w", encoding="utf-8") as out:
        for doc in range(LABELS // per_doc):
            tokens = [f"t{doc:04d}{j:03d}" for j in range(per_doc)]  # 8 characters + a space
            entities = ",".join(f'{{"start": {j * 9}, "end": {j * 9 + 8}, '
                                f'"label": "L{doc * per_doc + j:06d}"}}' for j in range(per_doc))
            out.write(f'{{"id": "lab-{doc:04d}", "text": "{" ".join(tokens)}", '
                      f'"gold": {{"entities": [{entities}]}}}}\n')


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    write: Writer
    options: dict[str, str]


CASES = [
    Case("nested 100k (json)", "deep.json", write_deep_json, {"format": "json"}),
    Case("nested 100k meta (jsonl)", "deep_meta.jsonl", write_deep_meta, {"format": "jsonl"}),
    Case("200 MB line, near-dup", "long_line.jsonl", write_long_line,
         {"format": "jsonl", "near_duplicates": "flag"}),
    Case("200 MB text in a JSON array", "long_text.json", write_long_array_text,
         {"format": "json"}),
    Case("15.5M CJK chars, split", "long_allowed.jsonl", write_long_allowed,
         {"format": "jsonl", "near_duplicates": "flag", "long_texts": "split"}),
    Case("1M columns (csv)", "wide.csv", write_wide_csv, {"format": "csv"}),
    Case("1M meta keys (jsonl)", "many_keys.jsonl", write_many_keys, {"format": "jsonl"}),
    Case("100k labels, create", "labels.jsonl", write_labels,
         {"format": "jsonl", "create_labels": "true"}),
]
