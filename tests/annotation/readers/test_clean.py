"""Cleaning: newlines, control characters, NFC, and the remapping of every span."""

import random
import unicodedata

import pytest

from annotation.readers.clean import (
    CleanStats,
    OffsetMap,
    _normalize,
    clean_record,
    clean_text,
    is_blank,
)
from annotation.readers.records import Entity, Labelling, Problem, Record, Relation


def span(text: str, part: str, label: str = "X", nth: int = 0) -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return Entity(start, start + len(part), label)


def record(text: str, *entities: Entity, **labellings: Labelling) -> Record:
    return Record(
        line=7, text=text, annotations=[("alice", Labelling(list(entities)))], **labellings
    )


def texts(rec: Record) -> list[list[str]]:
    return [[rec.text[e.start : e.end] for e in lab.entities] for lab in rec.labellings()]


def test_unchanged_text_is_the_same_record():
    rec = record("Alice joined 阿里巴巴 in 2019 👩‍💻 🇫🇷\ttab\nline", Entity(0, 5, "PER"))
    stats = CleanStats()
    assert clean_record(rec, stats) is rec
    assert stats.records == 1
    assert stats.changed == 0


def test_nfc_merge_remaps_spans_before_after_and_around():
    text = "Cafe\u0301 Zoe\u0308 and Ame\u0301lie"
    rec = record(
        text,
        span(text, "Cafe\u0301"),
        span(text, "Zoe\u0308"),
        span(text, "and"),
        span(text, "Cafe\u0301 Zoe\u0308 and Ame\u0301lie"),
        gold=Labelling([span(text, "Ame\u0301lie")]),
    )
    cleaned = clean_record(rec)
    assert isinstance(cleaned, Record)
    assert cleaned.text == "Café Zoë and Amélie"
    assert texts(cleaned) == [["Café", "Zoë", "and", "Café Zoë and Amélie"], ["Amélie"]]
    assert rec.text == text  # the argument is not mutated
    assert rec.annotations[0][1].entities[0].end == 5


@pytest.mark.parametrize(
    ("labelling", "field"),
    [("annotations", "annotations[0].entities[1]"), ("gold", "gold.entities[0]")],
)
def test_span_splitting_a_merged_sequence_is_a_problem(labelling, field):
    text = "Cafe\u0301 ok"
    bad = Entity(0, 4, "X")  # "Cafe" without its combining accent
    if labelling == "gold":
        rec = record(text, gold=Labelling([bad]))
    else:
        rec = record(text, Entity(5, 7, "X"), bad)
    problem = clean_record(rec)
    assert isinstance(problem, Problem)
    assert problem.line == 7
    assert problem.field == field
    assert "splits a character sequence that normalization merges" in problem.message


def test_predictions_problem_names_predictions():
    rec = Record(1, "e\u0301", predictions=Labelling([Entity(1, 2, "X")]))
    problem = clean_record(rec)
    assert isinstance(problem, Problem)
    assert problem.field == "predictions.entities[0]"


def test_crlf_and_control_characters_are_removed_and_spans_shifted():
    text = "Hello\r\nAlice\x00\x07 met\rBob\x85and\u2028Carol\x1b[0m in 北京\x7f!"
    names = ["Alice", "Bob", "Carol", "北京", "Alice\x00\x07 met\rBob"]
    rec = record(text, *(span(text, name) for name in names))
    stats = CleanStats()
    cleaned = clean_record(rec, stats)
    assert isinstance(cleaned, Record)
    assert cleaned.text == "Hello\nAlice met\nBob\nand\nCarol[0m in 北京!"
    assert texts(cleaned) == [["Alice", "Bob", "Carol", "北京", "Alice met\nBob"]]
    assert (stats.changed, stats.newlines, stats.controls, stats.normalized) == (1, 1, 4, 0)


def test_span_of_only_removed_characters_is_a_problem():
    text = "a\r\nb"
    problem = clean_record(record(text, Entity(1, 2, "X")))
    assert isinstance(problem, Problem)
    assert "only control characters" in problem.message


def test_span_ending_between_cr_and_lf_shrinks():
    cleaned = clean_record(record("ab\r\ncd", Entity(0, 3, "X"), Entity(3, 6, "Y")))
    assert isinstance(cleaned, Record)
    assert texts(cleaned) == [["ab", "\ncd"]]


def test_emoji_sequences_flags_and_chinese_are_kept_intact():
    text = "👩\u200d💻 and 👨\u200d👩\u200d👧 \U0001f1e8\U0001f1f3 中文\u200b ok\x01 e\u0301"
    rec = record(
        text, span(text, "👩\u200d💻"), span(text, "\U0001f1e8\U0001f1f3"), span(text, "中文")
    )
    cleaned = clean_record(rec)
    assert isinstance(cleaned, Record)
    assert cleaned.text == "👩\u200d💻 and 👨\u200d👩\u200d👧 \U0001f1e8\U0001f1f3 中文\u200b ok é"
    assert texts(cleaned) == [["👩\u200d💻", "\U0001f1e8\U0001f1f3", "中文"]]


def test_relations_and_other_fields_survive():
    text = "x\r\nAlice works at ACME"
    ents = [Entity(3, 8, "PER", id="T1"), Entity(18, 22, "ORG", id="T2")]
    lab = Labelling(ents, [Relation("T1", "T2", "works_for")], "positive")
    rec = Record(3, text, id="d1", meta={"a": 1}, annotations=[("bob", lab)])
    cleaned = clean_record(rec)
    assert isinstance(cleaned, Record)
    assert (cleaned.id, cleaned.meta, cleaned.annotations[0][0]) == ("d1", {"a": 1}, "bob")
    new = cleaned.annotations[0][1]
    assert (new.relations, new.sentiment) == (lab.relations, "positive")
    assert [(e.id, cleaned.text[e.start : e.end]) for e in new.entities] == [
        ("T1", "Alice"),
        ("T2", "ACME"),
    ]


def test_nfc_that_grows_text_keeps_spans():
    text = "a\u0958b \u212b!"  # DEVANAGARI QA decomposes (composition exclusion); ANGSTROM -> Å
    rec = record(text, Entity(1, 2, "X"), Entity(4, 5, "Y"), Entity(5, 6, "Z"))
    cleaned = clean_record(rec)
    assert isinstance(cleaned, Record)
    assert cleaned.text == unicodedata.normalize("NFC", text)
    assert texts(cleaned) == [["\u0915\u093c", "\u00c5", "!"]]


def test_hangul_jamo_compose():
    text = "\u1100\u1161\u11a8 x"
    cleaned = clean_record(record(text, Entity(0, 3, "K"), Entity(4, 5, "X")))
    assert isinstance(cleaned, Record)
    assert texts(cleaned) == [["\uac01", "x"]]


def test_segmented_nfc_equals_whole_text_nfc():
    rng = random.Random(3)
    alphabet = "ae o\u0301\u0300\u0327\u0308\u0323\u0302\u1100\u1161\u11a8\uac00\u0915\u093c"
    alphabet += "\u0958\u212b\u0b47\u0b3e\u00ca\u0344\u0f73\u1e0bx\r\n\x00"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        assert clean_text(text) == unicodedata.normalize(
            "NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
        )
        assert _normalize(unicodedata.normalize("NFD", text), []) == unicodedata.normalize(
            "NFC", text
        )


def test_random_spans_cover_the_same_characters_or_are_reported():
    rng = random.Random(11)
    alphabet = "ab 中\r\n\x00\x1f\u2029e\u0301\u0327"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(2, 14)))
        start = rng.randrange(len(text))
        end = rng.randrange(start + 1, len(text) + 1)
        cleaned = clean_record(record(text, Entity(start, end, "X")))
        if isinstance(cleaned, Problem):
            continue
        new = cleaned.annotations[0][1].entities[0]
        piece = text[start:end]
        if piece.endswith("\r") and text[end : end + 1] == "\n":
            piece = piece[:-1]  # the CR of a CRLF is the one removed
        assert cleaned.text[new.start : new.end] == clean_text(piece)


def test_offset_map():
    offsets = OffsetMap([(2, 4, 0), (6, 8, 3)])
    assert [offsets.map(p) for p in range(10)] == [0, 1, 2, 2, 2, 3, 4, None, 7, 8]
    assert offsets.inside(7) == 1
    assert offsets.inside(6) == -1


@pytest.mark.parametrize(
    ("text", "blank"),
    [("", True), (" \n\t\u3000", True), ("\u200b\ufeff ", True), ("\u00a0x", False), ("中", False)],
)
def test_is_blank(text, blank):
    assert is_blank(text) is blank
