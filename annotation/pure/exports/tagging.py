"""Entities on the shared tokens (``annotation.pure.tokens``), for the token formats (conll,
hf, spacy).

An entity whose start or end does not sit on a token boundary is never shifted: it is
skipped (none of its tokens are tagged) and listed in the export's warnings. So is an entity
that overlaps one already placed (BIO tags cannot nest; entities come in their record order,
which is (start, end, id))."""

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from annotation.pure.exports.common import Context, Labelling, Record
from annotation.pure.tokens import tokenize


@dataclass
class Tagged:
    tokens: list[tuple[int, int]]
    tags: list[int]  # per token, an index into ExportLabels.bio_tags (0 is O)
    spans: dict[Any, tuple[int, int]] = field(default_factory=dict)  # entity id: token range
    entities: list[dict[str, Any]] = field(default_factory=list)  # the placed entities


def _where(text: str, tokens: list[tuple[int, int]], offset: int) -> str:
    i = bisect_right(tokens, (offset, len(text) + 1)) - 1
    if i >= 0 and tokens[i][0] < offset < tokens[i][1]:
        s, e = tokens[i]
        return f"inside the token {text[s:e]!r} ({s}-{e})"
    return "not at a token's edge (in whitespace)"


def tag(ctx: Context, record: Record, labelling: Labelling,
        tokens: list[tuple[int, int]] | None = None) -> Tagged:
    text: str = record["text"]
    if tokens is None:
        tokens = tokenize(text, ctx.labels.segmentation)
    starts = {s: i for i, (s, _) in enumerate(tokens)}
    ends = {e: i + 1 for i, (_, e) in enumerate(tokens)}
    tagged = Tagged(tokens, [0] * len(tokens))
    label_index = {name: i for i, name in enumerate(ctx.labels.entities)}
    for entity in ctx.entities(record, labelling):
        start, end = entity["start"], entity["end"]
        where = {"entity": entity.get("id"), "label": entity["label"], "start": start,
                 "end": end, "text": text[start:end]}
        first, last = starts.get(start), ends.get(end)
        if first is None or last is None:
            problem = (f"the start is {_where(text, tokens, start)}" if first is None
                       else f"the end is {_where(text, tokens, end)}")
            ctx.warn(record, labelling, f"not on token boundaries: {problem}; the entity was "
                     "not tagged (its offsets are not shifted)", **where)
            continue
        if any(tagged.tags[first:last]):
            ctx.warn(record, labelling, "overlaps an entity tagged before it (BIO tags cannot "
                     "nest); the entity was not tagged", **where)
            continue
        b = 1 + 2 * label_index[entity["label"]]
        tagged.tags[first:last] = [b] + [b + 1] * (last - first - 1)
        if entity.get("id") is not None:
            tagged.spans[entity["id"]] = (first, last)
        tagged.entities.append(entity)
    return tagged
