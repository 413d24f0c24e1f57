"""PII detection (positive and negative cases, English and Chinese) and masking."""

import itertools

import pytest

from annotation.readers.pii import PiiHit, count_types, detect_pii, mask_record, pii_summary
from annotation.readers.records import Entity, Labelling, Problem, Record


def found(text: str) -> list[tuple[str, str]]:
    return [(hit.type, text[hit.start : hit.end]) for hit in detect_pii(text)]


def cn_id(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def iban(country: str, bban: str) -> str:
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail john.doe+x@mail.example.co.uk.", [("EMAIL", "john.doe+x@mail.example.co.uk")]),
        ("电话13812345678，邮箱a@b.cn。", [("PHONE", "13812345678"), ("EMAIL", "a@b.cn")]),
        (
            "请联系张伟，手机：138 1234 5678，身份证号11010519491231002X",
            [("PHONE", "138 1234 5678"), ("CN_ID", "11010519491231002X")],
        ),
        ("Call +44 20 7946 0958 today", [("PHONE", "+44 20 7946 0958")]),
        ("or +1 (415) 555-2671.", [("PHONE", "+1 (415) 555-2671")]),
        (
            "US 415-555-2671 or (415) 555-2671",
            [("PHONE", "415-555-2671"), ("PHONE", "(415) 555-2671")],
        ),
        ("手机+86 138-1234-5678", [("PHONE", "+86 138-1234-5678")]),
        ("手机8613812345678号", [("PHONE", "8613812345678")]),
        ("+8613812345678 13912345678", [("PHONE", "+8613812345678"), ("PHONE", "13912345678")]),
        ("卡号4111 1111 1111 1111。", [("CREDIT_CARD", "4111 1111 1111 1111")]),
        ("amex 3782-822463-10005", [("CREDIT_CARD", "3782-822463-10005")]),
        ("card 5555555555554444", [("CREDIT_CARD", "5555555555554444")]),
        ("IBAN GB82 WEST 1234 5698 7654 32.", [("IBAN", "GB82 WEST 1234 5698 7654 32")]),
        ("账户DE89370400440532013000", [("IBAN", "DE89370400440532013000")]),
        ("FR14 2004 1010 0505 0001 3M02 606", [("IBAN", "FR14 2004 1010 0505 0001 3M02 606")]),
        ("server 192.168.1.254, 10.0.0.1.", [("IPV4", "192.168.1.254"), ("IPV4", "10.0.0.1")]),
        ("地址255.255.255.255端口", [("IPV4", "255.255.255.255")]),
        (
            "v6 2001:db8::8a2e:370:7334 and ::1",
            [("IPV6", "2001:db8::8a2e:370:7334"), ("IPV6", "::1")],
        ),
        (
            "full 2001:0db8:0000:0000:0000:ff00:0042:8329.",
            [("IPV6", "2001:0db8:0000:0000:0000:ff00:0042:8329")],
        ),
        ("mapped ::ffff:192.0.2.1 here", [("IPV6", "::ffff:192.0.2.1")]),
        ("身份证11010519491231002x", [("CN_ID", "11010519491231002x")]),
        ("13812345678@163.com", [("EMAIL", "13812345678@163.com")]),
    ],
)
def test_detects(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "no pii here, just 2019 and 15 people",
        "an@ sign, a@b, user@localhost, @handle",
        "card 4111 1111 1111 1112 fails Luhn",
        "4111111111111112",
        "1234567812345670 starts with 1",
        "id 110105194912310021 bad checksum",
        "GB83 WEST 1234 5698 7654 32 bad check digits",
        "version 1.2.3.4.5 and v1.2.3.4 and 256.1.1.1 and 01.2.3.4",
        "time 12:30:45, std::vector, :: alone, mac 00:1A:2B:3C:4D:5E, 2001:db8:::1",
        "long run 2138123456789 and 12812345678 and +1 555",
        "dates 2019-05-12 and 2020.01.02",
        "中文文本没有个人信息。",
    ],
)
def test_does_not_detect(text):
    assert found(text) == []


def test_cn_id_with_invalid_date_is_not_a_hit():
    assert found(cn_id("11010519490230123")) == []  # 30 February, checksum right
    assert found(cn_id("11010519491301123")) == []  # month 13
    valid = cn_id("44030420000229123")  # 29 February 2000
    assert found(f"号码{valid}。") == [("CN_ID", valid)]


def test_iban_length_must_match_the_country():
    good = iban("DE", "370400440532013000")
    short = iban("DE", "37040044053201300")  # mod-97 right, one digit short for Germany
    assert found(good) == [("IBAN", good)]
    assert found(short) == []
    unknown = iban("ZZ", "1234567890123")  # not in the table: 15-34 characters accepted
    assert found(unknown) == [("IBAN", unknown)]


def test_overlap_prefers_priority_then_length():
    text = "ID 440304200002291234 x"
    hits = detect_pii(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(hits))
    text = f"{cn_id('44030420000229123')} 4111111111111111"
    assert [hit.type for hit in detect_pii(text)] == ["CN_ID", "CREDIT_CARD"]


def test_summary_and_counts():
    hits = detect_pii("a@b.cn c@d.cn 13812345678")
    assert pii_summary(hits) == {"EMAIL": [[0, 6], [7, 13]], "PHONE": [[14, 25]]}
    assert count_types(hits) == {"EMAIL": 2, "PHONE": 1}


def record(text: str, *spans: tuple[str, int], gold: Labelling | None = None) -> Record:
    entities = []
    for part, nth in spans:
        start = -1
        for _ in range(nth + 1):
            start = text.index(part, start + 1)
        entities.append(Entity(start, start + len(part), "X"))
    return Record(line=3, text=text, annotations=[("ann", Labelling(entities))], gold=gold)


def covered(rec: Record) -> list[str]:
    return [rec.text[e.start : e.end] for lab in rec.labellings() for e in lab.entities]


def test_mask_shifts_spans_after_hits():
    text = "Write to alice@example.com or bob@example.org, says Carol from 北京."
    rec = record(text, ("Write", 0), ("Carol", 0), ("北京", 0))
    masked = mask_record(rec, detect_pii(text))
    assert isinstance(masked, Record)
    assert masked.text == "Write to [EMAIL] or [EMAIL], says Carol from 北京."
    assert covered(masked) == ["Write", "Carol", "北京"]
    assert rec.text == text


def test_mask_span_equal_to_or_covering_a_hit():
    text = "手机：13812345678，IP 10.0.0.1 and 2001:db8::1"
    rec = record(
        text, ("13812345678", 0), ("手机：13812345678，", 0), ("10.0.0.1 and 2001:db8::1", 0)
    )
    masked = mask_record(rec, detect_pii(text))
    assert isinstance(masked, Record)
    assert covered(masked) == ["[PHONE]", "手机：[PHONE]，", "[IP_ADDRESS] and [IP_ADDRESS]"]


@pytest.mark.parametrize("part", ["1381234", "5678，", "@example"])
def test_span_partially_overlapping_a_hit_is_a_problem(part):
    text = "手机：13812345678，邮箱 alice@example.com"
    gold = Labelling([Entity(0, 2, "X")])
    rec = record(text, ("手机", 0), (part, 0), gold=gold)
    problem = mask_record(rec, detect_pii(text))
    assert isinstance(problem, Problem)
    assert problem.line == 3
    assert problem.field == "annotations[0].entities[1]"
    kind = "EMAIL" if part == "@example" else "PHONE"
    assert f"partially overlaps a {kind}" in problem.message


def test_mask_gold_and_predictions():
    text = "ip 10.0.0.1 then Bob"
    bob = Entity(17, 20, "PER")
    rec = Record(1, text, gold=Labelling([bob]), predictions=Labelling([bob]))
    masked = mask_record(rec, detect_pii(text))
    assert isinstance(masked, Record)
    assert covered(masked) == ["Bob", "Bob"]


def test_mask_without_hits_returns_the_record():
    rec = record("nothing", ("nothing", 0))
    assert mask_record(rec, []) is rec


def test_mask_with_given_hits():
    rec = Record(1, "abcdef", annotations=[("a", Labelling([Entity(4, 6, "X")]))])
    masked = mask_record(rec, [PiiHit(1, 3, "IBAN")])
    assert isinstance(masked, Record)
    assert masked.text == "a[IBAN]def"
    assert covered(masked) == ["ef"]
