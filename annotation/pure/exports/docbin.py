"""``spacy``: a spaCy 3 ``DocBin`` (``.spacy``), written without spaCy.

The file is what ``DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=True)
.to_bytes()`` writes (spacy/tokens/_serialize.py): zlib over one MessagePack map with
``version``, ``attrs``, ``tokens`` (uint64 rows of ORTH, ENT_IOB, ENT_TYPE), ``spaces``
(bools), ``lengths`` (int32), ``strings`` (sorted), ``cats``, ``flags``, ``span_groups`` and
``user_data``. Strings are stored by spaCy's ids: MurmurHash64A of the UTF-8, or the symbol
number for spaCy's symbols (``murmur.string_id``).

- One Doc per labelling the scope exports (``gold``: each document's gold; ``all``: its gold,
  then every annotator's). ``doc.text`` is the document's text exactly: tokens are the shared
  tokenizer's, a single space after a token is its ``whitespace_``, and any other whitespace
  (line breaks, runs of spaces) becomes whitespace tokens, as spaCy's own tokenizer does.
- ``doc.ents``: the labelling's entities (char offsets unchanged). Entities off token
  boundaries or overlapping are left out and warned about (see ``tagging``).
- ``doc.cats``: ``{name: 1.0 or 0.0}`` over every sentiment label in the project's order
  when the labelling has a sentiment; ``{}`` when it has none.
- ``doc.user_data`` holds Doc extension values (read them as ``doc._.relations`` etc. after
  ``Doc.set_extension("relations", default=None)``, or from ``doc.user_data[("._.",
  "relations", None, None)]``): ``relations``, a tuple of ``{"label", "head": (start,
  end), "tail": (start, end), "directed"}`` in char offsets (``doc.char_span(*head)`` is an
  entity of ``doc.ents``; relations to left-out entities are left out too); ``doc_id``; and
  ``annotator`` (None for gold).

The token rows, spaces, cats and user data are spilled to temporary files while records
stream in (memory holds only the distinct strings); the compressed file is produced at the
end, since MessagePack needs every length before its data.
"""

import tempfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any

import numpy as np

from annotation.pure.exports import msgpack
from annotation.pure.exports.common import Context, Record
from annotation.pure.exports.murmur import string_id
from annotation.pure.exports.tagging import tag

ORTH, ENT_IOB, ENT_TYPE = 65, 77, 78  # spacy.attrs
IOB_I, IOB_O, IOB_B = 1, 2, 3  # spacy.tokens.Token.iob_strings(): ("", "I", "O", "B")
EMPTY_SPAN_GROUPS = msgpack.packb([])
SPILL = 8 << 20


def extension_key(name: str) -> tuple[str, str, None, None]:
    """The ``user_data`` key under which spaCy keeps the value of ``doc._.<name>``."""
    return ("._.", name, None, None)


class _Strings:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __call__(self, value: str) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = string_id(value)
        return found


def _tokens(text: str, tokens: list[tuple[int, int]],
            tags: list[int]) -> tuple[list[str], list[bool], list[int]]:
    """spaCy tokens covering ``text``: words, spaces and the index of each word's tag (-1 for
    a whitespace token, -2 for one inside an entity)."""
    words: list[str] = []
    spaces: list[bool] = []
    tag_of: list[int] = []
    position = 0
    for i, (start, end) in enumerate([*tokens, (len(text), len(text))]):
        gap = text[position:start]
        if gap and words and gap[0] == " ":
            spaces[-1] = True
            gap = gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)
            inside = i < len(tags) and tags[i] != 0 and tags[i] % 2 == 0
            tag_of.append(-2 if inside else -1)
        if end > start:
            words.append(text[start:end])
            spaces.append(False)
            tag_of.append(i)
        position = end
    return words, spaces, tag_of


class _Spill:
    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPILL)  # noqa: SIM115
        self.size = 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)

    def read(self) -> Iterator[bytes]:
        self.file.seek(0)
        while chunk := self.file.read(1 << 20):
            yield chunk

    def close(self) -> None:
        self.file.close()


def write(ctx: Context, records: Iterable[Record]) -> Iterator[bytes]:
    strings = _Strings()
    names = ctx.labels.entities
    spills = {key: _Spill() for key in ("tokens", "spaces", "lengths", "cats", "user_data")}
    count = 0
    try:
        for record in records:
            labellings = ctx.labellings(record)
            if not labellings:
                continue
            text: str = record["text"]
            tokens = None
            for labelling in labellings:
                tagged = tag(ctx, record, labelling, tokens)
                tokens = tagged.tokens
                words, spaces, tag_of = _tokens(text, tokens, tagged.tags)
                rows = np.zeros((len(words), 3), dtype="<u8")
                entity_type = 0
                for row, (word, t) in enumerate(zip(words, tag_of, strict=True)):
                    tag_id = tagged.tags[t] if t >= 0 else 0
                    if tag_id:
                        entity_type = strings(names[(tag_id - 1) // 2])
                    inside = t == -2 or (tag_id != 0 and tag_id % 2 == 0)
                    iob = IOB_B if tag_id % 2 else IOB_I if inside else IOB_O
                    rows[row] = (strings(word), iob, 0 if iob == IOB_O else entity_type)
                spills["tokens"].write(rows.tobytes())
                spills["spaces"].write(np.asarray(spaces, dtype=bool).tobytes())
                spills["lengths"].write(np.int32(len(words)).astype("<i4").tobytes())
                spills["cats"].write(msgpack.packb(_cats(ctx, record, labelling)))
                spills["user_data"].write(msgpack.packb(msgpack.packb(
                    _user_data(ctx, record, labelling, tagged.spans, tagged.entities))))
                count += 1
                ctx.annotations += 1
            ctx.documents += 1
        yield from _assemble(spills, count, strings)
    finally:
        for spill in spills.values():
            spill.close()


def _cats(ctx: Context, record: Record, labelling: Any) -> dict[str, float]:
    if labelling.sentiment is None or not ctx.labels.sentiments:
        return {}
    chosen = set(ctx.sentiments(record, labelling))
    return {name: 1.0 if name in chosen else 0.0 for name in ctx.labels.sentiments}


def _user_data(ctx: Context, record: Record, labelling: Any, spans: dict[Any, Any],
               entities: list[dict[str, Any]]) -> dict[Any, Any]:
    by_id = {e["id"]: e for e in entities if e.get("id") is not None}
    relations = [
        {"label": r["label"],
         "head": [by_id[r["head"]]["start"], by_id[r["head"]]["end"]],
         "tail": [by_id[r["tail"]]["start"], by_id[r["tail"]]["end"]],
         "directed": ctx.directed(r["label"])}
        for r in ctx.relations(record, labelling, spans)]
    return {extension_key("relations"): relations,
            extension_key("doc_id"): record.get("id"),
            extension_key("annotator"): labelling.annotator}


def _assemble(spills: dict[str, _Spill], count: int, strings: _Strings) -> Iterator[bytes]:
    compressor = zlib.compressobj()

    def bin_field(name: str) -> Iterator[bytes]:
        yield msgpack.packb(name) + msgpack.bin_header(spills[name].size)
        yield from spills[name].read()

    def repeated(item: bytes) -> Iterator[bytes]:
        for start in range(0, count, 4096):
            yield item * min(4096, count - start)

    def parts() -> Iterator[bytes]:
        yield msgpack.map_header(10)
        yield msgpack.packb("version") + msgpack.packb("0.1")
        yield msgpack.packb("attrs") + msgpack.packb([ORTH, ENT_IOB, ENT_TYPE])
        yield from bin_field("tokens")
        yield from bin_field("spaces")
        yield from bin_field("lengths")
        names = sorted(s for s in strings.ids if s)
        yield msgpack.packb("strings") + msgpack.array_header(len(names))
        yield from (msgpack.packb(s) for s in names)
        yield msgpack.packb("cats") + msgpack.array_header(count)
        yield from spills["cats"].read()
        yield msgpack.packb("flags") + msgpack.array_header(count)
        yield from repeated(msgpack.packb({"has_unknown_spaces": False}))
        yield msgpack.packb("span_groups") + msgpack.array_header(count)
        yield from repeated(msgpack.packb(EMPTY_SPAN_GROUPS))
        yield msgpack.packb("user_data") + msgpack.array_header(count)
        yield from spills["user_data"].read()

    held: list[bytes] = []
    size = 0
    for part in parts():
        out = compressor.compress(part)
        if out:
            held.append(out)
            size += len(out)
            if size >= 1 << 16:
                yield b"".join(held)
                held, size = [], 0
    held.append(compressor.flush())
    yield b"".join(held)

