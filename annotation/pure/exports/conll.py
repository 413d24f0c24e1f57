"""``conll``: CoNLL-2003 style BIO, one ``token TAG`` a line.

- Tokens are the shared tokenizer's (``annotation.pure.tokens``): words in spaced scripts, one
  token per character in Han/Kana/Hangul, an emoji sequence or a flag as one token. A token
  never contains whitespace, so a token line has exactly two fields.
- Every labelling starts with ``-DOCSTART- -X- -X- O`` and a blank line. Sentences are the
  text's lines: a line break between two tokens ends a sentence (a blank line), except
  inside an entity, which never gets split.
- Entities off token boundaries, or overlapping an earlier one, are not tagged and are listed
  in the warnings (see ``tagging``).
- Scope ``gold``: each document's gold labelling, plain CoNLL-2003 with no comment lines
  (Concord's own CoNLL import reads it back).
- Scope ``all``: each document's gold (when present) and then every annotator's
  annotation, each as its own ``-DOCSTART-`` section opened by comment lines
  ``# id = doc-17`` and ``# source = gold``, or ``# source = annotation`` and
  ``# annotator = alice``. Comment lines start with ``# `` and have at least three fields,
  so they cannot be mistaken for the token ``#``.
"""

from collections.abc import Iterable, Iterator

from annotation.pure.exports.common import Context, Record
from annotation.pure.exports.tagging import tag

DOCSTART = "-DOCSTART- -X- -X- O\n\n"
_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def _one_line(value: object) -> str:
    return "".join(" " if c in _BREAKS else c for c in str(value))


def write(ctx: Context, records: Iterable[Record]) -> Iterator[bytes]:
    names = ctx.labels.bio_tags
    for record in records:
        labellings = ctx.labellings(record)
        if not labellings:
            continue
        text: str = record["text"]
        tokens = None
        for labelling in labellings:
            tagged = tag(ctx, record, labelling, tokens)
            tokens = tagged.tokens
            lines = [DOCSTART]
            if ctx.scope == "all":
                lines.append(f"# id = {_one_line(record.get('id'))}\n")
                lines.append(f"# source = {labelling.source}\n")
                if labelling.annotator is not None:
                    lines.append(f"# annotator = {_one_line(labelling.annotator)}\n")
            previous_end = None
            for (start, end), tag_id in zip(tokens, tagged.tags, strict=True):
                inside = tag_id != 0 and tag_id % 2 == 0  # an I- tag
                if (previous_end is not None and not inside
                        and not _BREAKS.isdisjoint(text[previous_end:start])):
                    lines.append("\n")
                lines.append(f"{text[start:end]} {names[tag_id]}\n")
                previous_end = end
            if tokens:
                lines.append("\n")
            ctx.annotations += 1
            yield "".join(lines).encode("utf-8")
        ctx.documents += 1
