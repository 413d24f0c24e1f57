"""Native records for the export tests: emoji (a ZWJ family, a flag), CJK, Hebrew, Arabic, a
decomposed accent, an entity across a line break, a span off token boundaries."""

import io
import zipfile
from typing import Any

from annotation.pure.exports import Export, ExportLabels, RelationLabel
from annotation.pure.tokens import tokenize

LABELS = ExportLabels(
    entities=("PER", "ORG", "LOC", "MISC"),
    relations=(RelationLabel("works_for"), RelationLabel("near", directed=False)),
    sentiments=("negative", "neutral", "positive"),
    scale="ordinal",
)

TEXT1 = "Alice joined 阿里巴巴 in 2019 🎉"
TEXT2 = ("👩\u200d👩\u200d👧 family 🇯🇵 met שלום עליכם and مرحبا بالعالم in 東京.\r\n"
         "New\nYork  is big, Zu\u0308rich too")
TEXT3 = "Bob's car is in Zürich\u2028ok"


def ent(text: str, key: str, word: str, label: str, nth: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return {"id": key, "start": start, "end": start + len(word), "label": label, "text": word}


GOLD1 = {"entities": [ent(TEXT1, "T1", "Alice", "PER"), ent(TEXT1, "T2", "阿里巴巴", "ORG")],
         "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
         "sentiment": "positive"}
GOLD2 = {"entities": [ent(TEXT2, "T1", "👩\u200d👩\u200d👧", "MISC"),
                      ent(TEXT2, "T2", "🇯🇵", "LOC"),
                      ent(TEXT2, "T3", "שלום עליכם", "PER"),
                      ent(TEXT2, "T4", "مرحبا بالعالم", "ORG"),
                      ent(TEXT2, "T5", "東京", "LOC"),
                      ent(TEXT2, "T6", "New\nYork", "LOC"),
                      ent(TEXT2, "T7", "Zu\u0308rich", "LOC")],
         "relations": [{"head": "T3", "tail": "T4", "label": "works_for"},
                       {"head": "T2", "tail": "T5", "label": "near"}],
         "sentiment": "neutral"}
BOB2 = {"annotator": "bob",
        "entities": [ent(TEXT2, "T1", "שלום", "PER"), ent(TEXT2, "T2", "東京", "LOC")],
        "relations": [], "sentiment": "negative"}
# "Bo" ends inside "Bob"; "ürich" starts inside "Zürich": both are reported, not shifted.
GOLD3 = {"entities": [ent(TEXT3, "T1", "Bo", "PER"), ent(TEXT3, "T2", "car", "MISC"),
                      ent(TEXT3, "T3", "ürich", "LOC")],
         "relations": [], "sentiment": None}

RECORDS: list[dict[str, Any]] = [
    {"id": "doc-17", "text": TEXT1, "meta": {"source": "news", "lang": "mixed"},
     "annotations": [{"annotator": "alice", **GOLD1}], "gold": GOLD1,
     "predictions": {"entities": [], "sentiment": None}},
    {"id": "doc/2 ü", "text": TEXT2, "meta": {"source": "web", "n": 2},
     "annotations": [BOB2, {"annotator": "alice", **GOLD2}], "gold": GOLD2},
    {"id": "doc-3", "text": TEXT3, "meta": {}, "annotations": [], "gold": GOLD3},
    {"id": "doc-4", "text": "No gold yet.", "meta": {},
     "annotations": [{"annotator": "bob", "entities": [], "relations": [],
                      "sentiment": "neutral"}], "gold": None},
]
MISALIGNED = {("doc-3", "T1"), ("doc-3", "T3")}


def aligned(record: dict[str, Any], labelling: dict[str, Any]) -> list[dict[str, Any]]:
    """The entities the token formats can write: those on token boundaries."""
    tokens = tokenize(record["text"])
    starts, ends = {s for s, _ in tokens}, {e for _, e in tokens}
    return [e for e in labelling["entities"] if e["start"] in starts and e["end"] in ends]


def labellings(record: dict[str, Any], scope: str) -> list[tuple[str | None, dict[str, Any]]]:
    found: list[tuple[str | None, dict[str, Any]]] = (
        [(None, record["gold"])] if record.get("gold") else [])
    if scope == "all":
        found += [(a["annotator"], a) for a in record["annotations"]]
    return found


def export(fmt: str, scope: str = "gold", records: list[dict[str, Any]] | None = None,
           labels: ExportLabels = LABELS) -> tuple[bytes, Export]:
    run = Export(fmt, labels, scope)
    data = b"".join(run.chunks(iter(RECORDS if records is None else records)))
    return data, run


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
