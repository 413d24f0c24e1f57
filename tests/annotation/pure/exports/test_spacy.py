"""The ``spacy`` export read by spaCy's own DocBin."""

from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin

from annotation.pure.exports import ExportLabels
from tests.annotation.pure.exports.samples import LABELS, RECORDS, aligned, export, labellings


@pytest.fixture(scope="module")
def vocab() -> spacy.vocab.Vocab:
    for name in ("relations", "doc_id", "annotator"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    return spacy.blank("xx").vocab


@pytest.mark.parametrize("scope", ["gold", "all"])
def test_docbin_from_disk_gives_the_records(scope: str, tmp_path: Path,
                                            vocab: spacy.vocab.Vocab) -> None:
    data, run = export("spacy", scope)
    path = tmp_path / "corpus.spacy"
    path.write_bytes(data)
    docs = list(DocBin().from_disk(path).get_docs(vocab))
    expected = [(r, who, lab) for r in RECORDS for who, lab in labellings(r, scope)]
    assert len(docs) == len(expected) == run.annotations
    for doc, (record, annotator, labelling) in zip(docs, expected, strict=True):
        assert doc.text == record["text"]
        assert doc._.doc_id == record["id"]
        assert doc._.annotator == annotator
        assert [(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents] == [
            (e["text"], e["label"], e["start"], e["end"]) for e in aligned(record, labelling)]
        sentiment = labelling["sentiment"]
        assert doc.cats == ({} if sentiment is None else
                            {n: float(n == sentiment) for n in LABELS.sentiments})
        by_id = {e["id"]: e for e in labelling["entities"]}
        assert list(doc._.relations) == [
            {"label": r["label"],
             "head": (by_id[r["head"]]["start"], by_id[r["head"]]["end"]),
             "tail": (by_id[r["tail"]]["start"], by_id[r["tail"]]["end"]),
             "directed": r["label"] != "near"}
            for r in labelling["relations"]]
        ents = {(e.start_char, e.end_char) for e in doc.ents}
        for relation in doc._.relations:  # each end is one of doc.ents
            assert relation["head"] in ents
            assert relation["tail"] in ents


def test_entity_across_a_line_break_and_emoji_tokens(vocab: spacy.vocab.Vocab) -> None:
    data, _ = export("spacy", records=[RECORDS[1]])
    doc = next(DocBin().from_bytes(data).get_docs(vocab))
    assert [t.text for t in doc][:3] == ["👩\u200d👩\u200d👧", "family", "🇯🇵"]
    new_york = next(e for e in doc.ents if e.text == "New\nYork")
    assert [t.text for t in new_york] == ["New", "\n", "York"]
    assert doc.ents[0].text == "👩\u200d👩\u200d👧"


def test_multi_label_cats_and_empty_export(vocab: spacy.vocab.Vocab) -> None:
    labels = ExportLabels(entities=("PER",), sentiments=("joy", "anger", "fear"),
                          multi_label=True)
    records = [{"id": 1, "text": "", "gold": {"entities": [], "sentiment": ["joy", "fear"]}},
               {"id": 2, "text": "  a  ", "gold": {"entities": [], "sentiment": []}}]
    data, _ = export("spacy", records=records, labels=labels)
    docs = list(DocBin().from_bytes(data).get_docs(vocab))
    assert docs[0].cats == {"joy": 1.0, "anger": 0.0, "fear": 1.0}
    assert docs[1].cats == {"joy": 0.0, "anger": 0.0, "fear": 0.0}
    assert [d.text for d in docs] == ["", "  a  "]
    empty, _ = export("spacy", records=[])
    assert len(DocBin().from_bytes(empty)) == 0
