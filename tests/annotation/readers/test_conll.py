import io
import re

import pytest

from annotation.readers import formats
from annotation.readers.records import Entity, Labelling, Problem, Record

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u3000-\u303f\uff00-\uffef"
TOKEN = re.compile(f"[{CJK}]|[^\\s{CJK}]+")


def read(data: str) -> list[Record | Problem]:
    return list(formats.read("conll", io.BytesIO(data.encode())))


def write(docs: list[tuple[str, list[tuple[int, int, str]]]]) -> str:
    """A minimal CoNLL writer: one token a line, CJK split into characters, BIO tags."""
    out = []
    for text, spans in docs:
        out.append("-DOCSTART- -X- O\n\n")
        for sentence in re.finditer(r"[^\n]+", text):
            for token in TOKEN.finditer(sentence.group()):
                start, end = token.start() + sentence.start(), token.end() + sentence.start()
                tag = "O"
                for s, e, label in spans:
                    if s <= start and end <= e:
                        tag = f"{'B' if s == start else 'I'}-{label}"
                out.append(f"{token.group()} {tag}\n")
            out.append("\n")
    return "".join(out)


def entities(record: Record) -> list[tuple[str, str]]:
    assert record.gold is not None
    return [(record.text[e.start : e.end], e.label) for e in record.gold.entities]


@pytest.mark.parametrize(
    "doc",
    [
        (
            "EU rejects German call to boycott British lamb .\nPeter Blackburn",
            [(0, 2, "ORG"), (11, 17, "MISC"), (34, 41, "MISC"), (49, 64, "PER")],
        ),
        ("阿里巴巴在杭州成立。\n马云是创始人。", [(0, 4, "ORG"), (5, 7, "LOC"), (11, 13, "PER")]),
        ("Alice 在 阿里巴巴 工作 , 2019", [(0, 5, "PER"), (8, 12, "ORG")]),
        ("東京タワーに行きました", [(0, 5, "LOC")]),
    ],
)
def test_round_trip(doc):
    text, spans = doc
    [record] = read(write([doc]))
    expected_text = text.replace("在 阿里巴巴 工作", "在阿里巴巴工作")  # CJK neighbours glue
    assert record.text == expected_text
    assert entities(record) == [(text[s:e], label) for s, e, label in spans]
    assert record.annotations == []


def test_documents_sentences_and_line_numbers():
    data = (
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n"
        "Peter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\n"
        "-DOCSTART- -X- -X- O\n\nBRUSSELS NNP B-NP B-LOC\n"
    )
    first, second = read(data)
    assert first == Record(
        3,
        "EU rejects\nPeter Blackburn",
        gold=Labelling([Entity(0, 2, "ORG"), Entity(11, 26, "PER")]),
    )
    assert second == Record(11, "BRUSSELS", gold=Labelling([Entity(0, 8, "LOC")]))


def test_without_docstart_each_sentence_is_a_document():
    items = read("Alice B-PER\nsmiled O\n\n\nBob B-PER\n\nNothing O\nhere O\n")
    assert [(r.line, r.text, entities(r)) for r in items] == [
        (1, "Alice smiled", [("Alice", "PER")]),
        (5, "Bob", [("Bob", "PER")]),
        (7, "Nothing here", []),
    ]


def test_tag_schemes():
    data = (
        "-DOCSTART- O\n\n"
        "New I-LOC\nYork I-LOC\nand O\nBoston I-LOC\n"  # IOB1
        "Acme B-ORG\nLtd I-PER\n"  # type change: two entities
        "big B-ORG\nco E-ORG\nX S-PER\nY S-PER\nZ E-LOC\n"  # BIOES; a lone E- opens one
        "u U-PER\nb B-ORG\nl L-ORG\n"
    )  # BILOU
    [record] = read(data)
    assert entities(record) == [
        ("New York", "LOC"),
        ("Boston", "LOC"),
        ("Acme", "ORG"),
        ("Ltd", "PER"),
        ("big co", "ORG"),
        ("X", "PER"),
        ("Y", "PER"),
        ("Z", "LOC"),
        ("u", "PER"),
        ("b l", "ORG"),
    ]


def test_entities_do_not_cross_sentences():
    [record] = read("-DOCSTART- O\n\nAlice B-PER\n\nSmith I-PER\n")
    assert record.text == "Alice\nSmith"
    assert entities(record) == [("Alice", "PER"), ("Smith", "PER")]


def test_types_may_contain_dashes_and_cjk_offsets_count_code_points():
    [record] = read("-DOCSTART- O\n\n🎉 O\n阿 B-WORK-OF-ART\n里 I-WORK-OF-ART\n")
    assert record.text == "🎉 阿里"
    assert record.gold == Labelling([Entity(2, 4, "WORK-OF-ART")])


def test_malformed_lines_skip_their_document_only():
    data = (
        "-DOCSTART- O\n\nAlice B-PER\nlonely\nmore O\n\n"
        "-DOCSTART- O\n\nBob X-PER\n\n"
        "-DOCSTART- O\n\nCarol B-PER\n"
    )
    items = read(data)
    assert items == [
        Problem(4, "", "expected a token and a tag, found one column"),
        Problem(9, "tag", "unknown tag 'X-PER' (expected O, B-, I-, E- or S- and a type)"),
        Record(13, "Carol", gold=Labelling([Entity(0, 5, "PER")])),
    ]


def test_bad_sentence_in_sentence_mode():
    items = read("bad B_PER\n\nfine O\n")
    assert items == [
        Problem(1, "tag", "unknown tag 'B_PER' (expected O, B-, I-, E- or S- and a type)"),
        Record(3, "fine", gold=Labelling()),
    ]


def test_empty_documents_are_dropped():
    assert read("-DOCSTART- O\n\n-DOCSTART- O\n\n\n") == []


def test_korean_keeps_its_spaces():
    from annotation.readers.formats.conll import is_cjk

    assert not is_cjk("학")
    assert is_cjk("学")
    assert is_cjk("あ")
