"""CoNLL-2003 style token files: one token a line, its tag in the LAST column.

An imported CoNLL file is labelled data: each document becomes a Record whose entities are in
``gold`` (``annotations`` stays empty). Every document gets a gold labelling, even one with no
entity, since ``O`` tags say so explicitly.

- Tags: ``O``, ``B-X``, ``I-X``, ``E-X``, ``S-X`` (BIO, IOB1, BIOES; BILOU's ``L-``/``U-`` are
  read as ``E-``/``S-``). An ``I-``/``E-`` that does not continue an entity of the same type
  starts a new one (IOB1, or a type change ``B-PER I-ORG``: two entities). ``E-``/``S-`` close
  the entity. A sentence end closes it too: entities never cross sentences.
- Documents: ``-DOCSTART-`` lines separate them. A file that does not begin with
  ``-DOCSTART-`` is a list of sentences (as in many BIO data sets): each sentence is a
  document until a ``-DOCSTART-`` line appears.
- Text: the first column's tokens joined by one space, except that two tokens meeting at CJK
  characters (Han, Hiragana, Katakana, CJK and full-width punctuation; not Hangul) are joined with
  no space, since Concord's export splits those scripts into characters. Sentences are joined
  by ``\\n``. Offsets are code points into that text.
- A malformed line (a single column, or an unknown tag) is a Problem; the rest of its document
  is skipped and the next document is read. ``line`` is the document's first token line.
"""

import re
from collections.abc import Iterable, Iterator

from annotation.readers.records import Entity, Labelling, Problem, Record

# Chinese and Japanese only: Korean separates words with spaces, so Hangul keeps them.
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u31c0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0003134f]"
)
_PREFIXES = {"B": "B", "I": "I", "E": "E", "S": "S", "L": "E", "U": "S"}


def is_cjk(char: str) -> bool:
    return _CJK.match(char) is not None


class _Document:
    def __init__(self, line: int) -> None:
        self.line = line
        self.parts: list[str] = []
        self.length = 0
        self.entities: list[Entity] = []
        self.open: Entity | None = None  # the entity the next I-/E- may continue
        self.sentence_open = False
        self.last = ""  # the previous token in the sentence

    def end_sentence(self) -> None:
        self.open, self.sentence_open, self.last = None, False, ""

    def add(self, token: str, tag: str) -> None:
        if not self.sentence_open:
            if self.length:
                self._append("\n")
            self.sentence_open = True
        elif not (is_cjk(self.last[-1]) and is_cjk(token[0])):
            self._append(" ")
        start = self.length
        self._append(token)
        self.last = token
        if tag == "O":
            self.open = None
            return
        prefix, kind = _PREFIXES[tag[0]], tag[2:]
        current = self.open
        if prefix in ("I", "E") and current is not None and current.label == kind:
            current.end = self.length
        else:
            current = Entity(start, self.length, kind)
            self.entities.append(current)
        self.open = current if prefix in ("B", "I") else None

    def _append(self, piece: str) -> None:
        self.parts.append(piece)
        self.length += len(piece)

    def record(self) -> Record:
        return Record(self.line, "".join(self.parts), gold=Labelling(self.entities))


def _tag_error(tag: str) -> str | None:
    if tag == "O":
        return None
    if len(tag) > 2 and tag[1] == "-" and tag[0] in _PREFIXES:
        return None
    return f"unknown tag {tag!r} (expected O, B-, I-, E- or S- and a type)"


def read_conll(lines: Iterable[str]) -> Iterator[Record | Problem]:
    doc: _Document | None = None
    bad = False  # the current document had a problem: skip to the next one
    by_sentence: bool | None = None  # no -DOCSTART-: each sentence is a document
    for number, line in enumerate(lines, 1):
        columns = line.split()
        if not columns:
            if doc is not None:
                doc.end_sentence()
                if by_sentence:
                    if doc.length and not bad:
                        yield doc.record()
                    doc, bad = None, False
            continue
        if columns[0] == "-DOCSTART-":
            if doc is not None and doc.length and not bad:
                yield doc.record()
            doc, bad, by_sentence = None, False, False
            continue
        if by_sentence is None:
            by_sentence = True
        if doc is None:
            doc = _Document(number)
        if bad:
            continue
        error = (
            "expected a token and a tag, found one column"
            if len(columns) < 2
            else _tag_error(columns[-1])
        )
        if error:
            bad = True
            yield Problem(number, "tag" if len(columns) > 1 else "", error)
            continue
        doc.add(columns[0], columns[-1])
    if doc is not None and doc.length and not bad:
        yield doc.record()
