"""Texts over the length limit: the problem, and the cut into parts with spans shifted."""

from annotation.readers.long_texts import (
    cut_points,
    describe_key,
    finder_key,
    limit_record,
)
from annotation.readers.records import Entity, Labelling, Problem, Record, Relation


def entity_texts(record: Record, lab: Labelling) -> list[tuple[str, str]]:
    return [(record.text[e.start:e.end], e.label) for e in lab.entities]


def test_within_the_limit_is_the_record_itself():
    record = Record(1, "x" * 10, "a")
    assert limit_record(record, limit=10, mode="error") == [record]


def test_over_the_limit_is_a_problem_naming_length_limit_and_setting():
    problem = limit_record(Record(7, "中" * 11, "a"), limit=10, mode="error")
    assert isinstance(problem, Problem)
    assert (problem.line, problem.field) == (7, "text")
    for words in ("11 code points", "limit is 10", "CONCORD_MAX_DOCUMENT_CHARS", "split"):
        assert words in problem.message


def test_cuts_prefer_paragraphs_then_lines_sentences_whitespace():
    text = "aaaa bbbb.\n\ncccc dddd. eeee ffff"
    assert cut_points(text, 20) == [0, 12, len(text)]  # after the paragraph break
    assert cut_points("aaaa bbbb. cccc dddd", 14) == [0, 11, 20]  # after the sentence
    assert cut_points("aaaa bbbb cccc", 12) == [0, 10, 14]  # after the space
    assert cut_points("一二三。四五六七八九", 8) == [0, 4, 10]  # after 。
    assert cut_points("x" * 25, 10) == [0, 10, 20, 25]  # no boundary: a hard cut


def test_a_hard_cut_splits_no_emoji_sequence_or_combining_mark():
    family = "👩\u200d👩\u200d👧"  # 5 code points, one grapheme
    text = "x" * 8 + family + "y" * 8
    cuts = cut_points(text, 10)
    assert all(not (8 < c < 13) for c in cuts), cuts
    accented = "x" * 9 + "e\u0301" + "y" * 9
    assert 10 not in cut_points(accented, 10)
    assert 10 not in cut_points("x" * 9 + "\r\n" + "y" * 9, 10)


def test_split_parts_ids_meta_and_spans_shifted_cjk_and_emoji():
    first = "Alice 🎉 joined 阿里巴巴. "  # the cut comes after its sentence
    second = "Bob 👩‍💻 works at 腾讯 in 深圳."
    text = first + second
    b, o = text.index("Bob"), text.index("腾讯")
    a = text.index("阿里巴巴")
    lab = Labelling(
        entities=[Entity(0, 5, "PER", "T1"), Entity(a, a + 4, "ORG", "T2"),
                  Entity(b, b + 3, "PER", "T3"), Entity(o, o + 2, "ORG")],
        relations=[Relation("T1", "T2", "works_for"), Relation("T3", "T4", "works_for")],
        sentiment="positive")
    record = Record(3, text, "doc-9", {"source": "news"}, [("ann", lab)], gold=lab)
    parts = limit_record(record, limit=len(second) + 2, mode="split")
    assert isinstance(parts, list)
    one, two = parts
    assert (one.text, two.text) == (first, second)
    assert (one.id, two.id, one.part, two.part, one.line) == ("doc-9#1", "doc-9#2", 1, 2, 3)
    assert two.meta == {"source": "news", "split_from": "doc-9", "split_part": 2,
                        "split_parts": 2}
    assert entity_texts(one, one.annotations[0][1]) == [("Alice", "PER"), ("阿里巴巴", "ORG")]
    assert entity_texts(two, two.annotations[0][1]) == [("Bob", "PER"), ("腾讯", "ORG")]
    assert two.annotations[0][1].entities[0].start == 0
    assert [e.id for e in two.gold.entities] == ["T3", "T4"]  # positional ids kept
    assert [(r.head, r.tail) for r in two.gold.relations] == [("T3", "T4")]
    assert one.annotations[0][1].sentiment == two.annotations[0][1].sentiment == "positive"
    assert "".join(p.text for p in parts) == text


def test_a_span_across_the_cut_is_a_problem_not_shifted():
    text = "aaaa bbbb cccc"
    lab = Labelling(entities=[Entity(8, 12, "PER")])
    problem = limit_record(Record(2, text, annotations=[("ann", lab)]), limit=12, mode="split")
    assert isinstance(problem, Problem)
    assert problem.field == "annotations[0].entities[0]"
    assert "crosses the cut at 10" in problem.message


def test_a_relation_between_parts_is_a_problem():
    lab = Labelling(entities=[Entity(0, 4, "PER", "a"), Entity(10, 14, "ORG", "b")],
                    relations=[Relation("a", "b", "works_for")])
    problem = limit_record(Record(2, "aaaa bbbb cccc", gold=lab), limit=12, mode="split")
    assert isinstance(problem, Problem)
    assert problem.field == "gold.relations[0]"


def test_part_keys_are_distinct_and_describe_their_part():
    assert finder_key(5, 0) == 5
    keys = {finder_key(5, 1), finder_key(5, 2), finder_key(6, 1), 5, 6}
    assert len(keys) == 5
    assert describe_key(finder_key(123456, 7)) == {"line": 123456, "part": 7}
    assert describe_key(5) == {"line": 5}
