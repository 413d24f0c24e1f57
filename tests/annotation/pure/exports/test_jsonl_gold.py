"""``jsonl``'s ``write_gold`` (documents as the database holds them) against ``write`` (native
records): the same bytes, counts and warnings, whatever the text, meta and labels hold."""

import json
import random

import pytest

from annotation.pure.exports import Export, ExportLabels
from annotation.pure.exports.stored import Labelling, Predicted, Stored, records

# Quotes, backslashes, control characters, the line breaks JSON leaves raw, a lone \r,
# combining marks, right-to-left, CJK, astral emoji and a ZWJ sequence.
ALPHABET = ('ab Z09"\\/\n\r\t\x00\x1f\x7f\x1c\x1d\x1e\x85\u2028\u2029é\u0308שلام中文'
            "\U0001f389\U0001f469\u200d\U0001f52c")
LABELS = ["PER", 'O"R\\G', "日付\u2028x"]


def random_text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def random_meta(rng: random.Random) -> object:
    return rng.choice([{}, {"source": random_text(rng, 5), "n": rng.randrange(-9, 99),
                            "x": 0.1, "big": 10 ** 30, "ok": True, "none": None,
                            "list": [1.5, "\u2028", {"k": []}]}, [], "plain", 7])


def gold(id: str, text: str, meta: str, entities: list, relations: list, sentiment: list
         ) -> Stored:
    return Stored(id, text, meta, [Labelling("gold", None, entities, relations, sentiment)])


def random_gold(rng: random.Random, n: int) -> tuple[Stored, dict]:
    """A document as ``export_documents`` gives it, and its native record."""
    text = random_text(rng, rng.randrange(0, 60))
    spans = sorted({(s, s + rng.randrange(1, 6)) for s in range(0, max(len(text) - 5, 0), 7)
                    if rng.random() < 0.6})
    entities = [(s, e, rng.choice(LABELS)) for s, e in spans]
    relations = [(rng.randrange(1, len(entities) + 1), rng.randrange(1, len(entities) + 1),
                  rng.choice(LABELS)) for _ in range(rng.randrange(3))] if entities else []
    sentiment = rng.sample(LABELS, rng.randrange(len(LABELS) + 1))
    meta = random_meta(rng)
    # the layout PostgreSQL gives jsonb (spaces after , and :), not the writer's
    stored = gold(rng.choice([f"doc-{n}", str(n), random_text(rng, 4)]), text,
                  json.dumps(meta, ensure_ascii=False), entities, relations, sentiment)
    return stored, {
        "id": stored.id, "text": text, "meta": meta,
        "gold": {"entities": [{"id": f"T{i}", "start": s, "end": e, "label": label,
                               "text": text[s:e]} for i, (s, e, label) in enumerate(entities, 1)],
                 "relations": [{"head": f"T{h}", "tail": f"T{t}", "label": label}
                               for h, t, label in relations],
                 "sentiment": sentiment}}


def single(record: dict) -> dict:
    chosen = record["gold"]["sentiment"]
    return {**record, "gold": {**record["gold"], "sentiment": chosen[0] if chosen else None}}


@pytest.mark.parametrize("multi", [False, True])
def test_write_gold_gives_the_bytes_of_the_records(multi: bool) -> None:
    rng = random.Random(11 + multi)
    pairs = [random_gold(rng, n) for n in range(400)]
    stored = [g._replace(labellings=[lab._replace(sentiment=lab.sentiment if multi else
                                                  lab.sentiment[:1]) for lab in g.labellings])
              for g, _ in pairs]
    records = [r if multi else single(r) for _, r in pairs]
    labels = ExportLabels(entities=LABELS, sentiments=LABELS, multi_label=multi)
    fast, slow = Export("jsonl", labels), Export("jsonl", labels)
    got = b"".join(fast.gold_chunks(stored))
    assert got == b"".join(slow.chunks(records))
    assert (fast.documents, fast.annotations) == (slow.documents, slow.annotations) == (400, 400)
    lines = got.decode("utf-8").splitlines()
    assert len(lines) == 400  # no raw line break of any kind inside a line
    assert [json.loads(line) for line in lines] == records
    assert fast.warnings == slow.warnings == []


def test_write_gold_warns_of_offsets_past_the_text_as_write_does() -> None:
    stored = gold("d1", "short", "{}", [(0, 2, "PER"), (3, 9, "PER")], [(1, 2, "PER")], [])
    record = {"id": "d1", "text": "short", "meta": {}, "gold": {
        "entities": [{"id": "T1", "start": 0, "end": 2, "label": "PER", "text": "sh"},
                     {"id": "T2", "start": 3, "end": 9, "label": "PER", "text": "rt"}],
        "relations": [{"head": "T1", "tail": "T2", "label": "PER"}], "sentiment": None}}
    fast, slow = Export("jsonl", ExportLabels()), Export("jsonl", ExportLabels())
    assert b"".join(fast.gold_chunks([stored])) == b"".join(slow.chunks([record]))
    assert fast.warnings == slow.warnings
    assert [w["entity"] for w in fast.warnings] == ["T2"]


def test_gold_chunks_is_jsonl_gold_only_and_once() -> None:
    with pytest.raises(ValueError, match="jsonl, scope gold"):
        list(Export("jsonl", ExportLabels(), scope="all").gold_chunks([]))
    with pytest.raises(ValueError, match="jsonl, scope gold"):
        list(Export("conll", ExportLabels()).gold_chunks([]))
    export = Export("jsonl", ExportLabels())
    assert list(export.gold_chunks([])) == []
    with pytest.raises(RuntimeError, match="one file"):
        list(export.gold_chunks([]))


def test_write_leaves_out_what_has_no_gold_as_the_records_do() -> None:
    docs = [gold("d1", "ab", "{}", [(0, 1, "PER")], [], ["PER"]),
            Stored("d2", "cd", '{"k": 1}', []),
            Stored("d3", "ef", "{}", [], Predicted([(0, 2, "PER", "imported", "", 1.0)], [], []))]
    fast, slow = Export("jsonl", ExportLabels()), Export("jsonl", ExportLabels())
    got = b"".join(fast.write(docs))
    assert got == b"".join(slow.chunks(records(docs, scope="gold", multi_label=False)))
    assert (fast.documents, fast.annotations) == (slow.documents, slow.annotations) == (1, 1)
