"""The token formats of a project that segments Chinese into words (jieba): read back by
seqeval's tags, Hugging Face ``datasets`` and spaCy's DocBin."""

from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin

from annotation.pure.exports import ExportLabels
from tests.annotation.pure.exports.samples import export
from tests.annotation.pure.exports.test_conll import parse
from tests.annotation.pure.exports.test_hf import load, spans

TEXT = "马云在阿里巴巴工作，他住在杭州。Alice 😀"
WORDS = ["马云", "在", "阿里巴巴", "工作", "，", "他", "住", "在", "杭州", "。", "Alice", "😀"]
GOLD = {"entities": [
    {"id": "e1", "start": 0, "end": 2, "label": "PER", "text": "马云"},
    {"id": "e2", "start": 3, "end": 7, "label": "ORG", "text": "阿里巴巴"},
    {"id": "e3", "start": 13, "end": 14, "label": "LOC", "text": "杭"},  # half of 杭州
], "relations": [], "sentiment": None}
RECORD = {"id": "zh-1", "text": TEXT, "meta": {}, "annotations": [], "gold": GOLD}


def labels(segmentation: str) -> ExportLabels:
    return ExportLabels(entities=("PER", "ORG", "LOC"), segmentation=segmentation)


def test_conll_writes_words_and_reports_an_entity_inside_one() -> None:
    data, run = export("conll", records=[RECORD], labels=labels("jieba"))
    (section,) = parse(data)
    pairs = [pair for sentence in section["sentences"] for pair in sentence]
    assert [token for token, _ in pairs] == WORDS
    assert [tag for _, tag in pairs][:4] == ["B-PER", "O", "B-ORG", "O"]
    assert "B-LOC" not in [tag for _, tag in pairs]
    (warning,) = run.warnings
    assert warning["entity"] == "e3"
    assert "inside the token '杭州' (13-15)" in warning["reason"]


def test_conll_by_characters_has_a_token_per_han_character() -> None:
    data, run = export("conll", records=[RECORD], labels=labels("characters"))
    (section,) = parse(data)
    tokens = [token for sentence in section["sentences"] for token, _ in sentence]
    assert tokens[:7] == list("马云在阿里巴巴")
    assert run.warning_count == 0


def test_hf_tokens_and_tags_are_over_words(tmp_path: Path) -> None:
    data, _ = export("hf", records=[RECORD], labels=labels("jieba"))
    ds, _info = load(data, tmp_path)
    (row,) = list(ds)
    assert row["tokens"] == WORDS
    names = ds.features["ner_tags"].feature.names
    assert spans([names[t] for t in row["ner_tags"]]) == [(0, 1, "PER"), (2, 3, "ORG")]


def test_spacy_docbin_tokens_are_words(tmp_path: Path) -> None:
    for name in ("relations", "doc_id", "annotator"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    data, _ = export("spacy", records=[RECORD], labels=labels("jieba"))
    path = tmp_path / "corpus.spacy"
    path.write_bytes(data)
    (doc,) = DocBin().from_disk(path).get_docs(spacy.blank("xx").vocab)
    assert doc.text == TEXT
    assert [t.text for t in doc if not t.is_space] == WORDS
    assert [(e.text, e.label_) for e in doc.ents] == [("马云", "PER"), ("阿里巴巴", "ORG")]


def test_an_unknown_segmentation_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown segmentation 'words'"):
        labels("words")
