"""Personal data in document text: detection, masking with span remapping, summaries.

Types, and what counts as a hit (all ASCII digits and letters; digit runs are bounded by
"not a digit" rather than by ``\\b``, so detection works next to CJK characters, where
Chinese text usually has no spaces: "电话13812345678" finds the phone):

- ``CN_ID``: mainland-China resident ID, 18 characters: 6-digit area code, a birth date
  YYYYMMDD that is a real date (years 1800-2099), 3 digits, and the ISO 7064 MOD 11-2 check
  character (a digit or X) verified.
- ``CREDIT_CARD``: 13-19 digits, contiguous or in groups separated by single spaces or dashes,
  first digit 2-6 (Visa, Mastercard, Amex, Discover, JCB, UnionPay...), Luhn check verified.
- ``IBAN``: two upper-case letters, two check digits, then the BBAN, contiguous or in groups of 4
  separated by single spaces; the length must match the country (table below, about 80
  countries), or lie in 15-34 for a country not in the table; ISO 7064 mod-97 == 1 verified.
- ``EMAIL``: an ASCII address with a dotted domain and an alphabetic top-level domain.
- ``IPV6``: full or ``::``-compressed (with an optional embedded IPv4 tail), validated with
  `ipaddress`; the bare unspecified address ``::`` is not a hit.
- ``IPV4``: four decimal octets 0-255 without leading zeros, not part of a longer dotted
  sequence (so "1.2.3.4.5", a version number, is not a hit) nor preceded by a letter ("v1.2.3.4").
- ``PHONE``: international numbers written with "+" (country code, then groups separated by
  a space, dot or dash, with an optional parenthesised area code; 8-15 digits in all, as E.164
  allows), mainland-China mobiles ``1[3-9]X XXXX XXXX`` (spaces/dashes optional, optionally
  prefixed with 86 or +86), and North-American numbers written ``415-555-2671``,
  ``415.555.2671`` or ``(415) 555-2671``. A phone never starts or ends inside a longer digit run.

Overlaps are resolved by priority, then length: CN_ID, CREDIT_CARD, IBAN, EMAIL, IPV6, IPV4,
PHONE (a more constrained detector wins over a looser one; "13812345678@163.com" is an EMAIL).

Masking replaces each hit by a placeholder: ``[CN_ID]``, ``[CREDIT_CARD]``, ``[IBAN]``,
``[EMAIL]``, ``[IP_ADDRESS]`` (both IPv4 and IPv6: the version is no use to a model, and the
counts and `pii_summary` still tell them apart) and ``[PHONE]``.

Speed: cheap pre-filters skip detectors that cannot match (no "@": no email; fewer than two
":": no IPv6; fewer than 4 digits: no digit-based detector...).
"""

import ipaddress
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import NamedTuple

from annotation.readers.clean import OffsetMap, remap_record
from annotation.readers.records import Problem, Record

__all__ = ["PLACEHOLDERS", "PiiHit", "count_types", "detect_pii", "mask_record", "pii_summary"]


class PiiHit(NamedTuple):
    start: int
    end: int
    type: str


PRIORITY = ("CN_ID", "CREDIT_CARD", "IBAN", "EMAIL", "IPV6", "IPV4", "PHONE")
PLACEHOLDERS = {
    "CN_ID": "[CN_ID]",
    "CREDIT_CARD": "[CREDIT_CARD]",
    "IBAN": "[IBAN]",
    "EMAIL": "[EMAIL]",
    "IPV6": "[IP_ADDRESS]",
    "IPV4": "[IP_ADDRESS]",
    "PHONE": "[PHONE]",
}
_RANK = {name: rank for rank, name in enumerate(PRIORITY)}

_CN_ID = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9Xx](?![0-9])"
)
_CARD = re.compile(r"(?<![0-9])(?:[2-6][0-9]{12,18}|[2-6][0-9]{3}(?:[ -][0-9]{3,6}){2,4})(?![0-9])")
_IBAN = re.compile(
    r"[A-Z](?<![A-Za-z0-9].)[A-Z][0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])"
)
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-](?<![A-Za-z0-9._%+-].)[A-Za-z0-9._%+-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
_IPV6 = re.compile(
    r"(?<![0-9A-Za-z:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}"
    r"(?:(?<=:)[0-9]{1,3}(?:\.[0-9]{1,3}){3})?(?![0-9A-Za-z:]|\.[0-9])"
)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?<![0-9A-Za-z.]){_OCTET}(?:\.{_OCTET}){{3}}(?![0-9])(?!\.[0-9])")
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])\+[1-9][0-9]{0,2}(?:[ .-]?(?:\([0-9]{1,4}\)|[0-9]{1,5})){1,6}(?![0-9])"
    r"|(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])"
    r"|(?<![0-9])(?:\([2-9][0-9]{2}\) ?[2-9][0-9]{2}-[0-9]{4}"
    r"|[2-9][0-9]{2}(?P<sep>[-.])[2-9][0-9]{2}(?P=sep)[0-9]{4})(?![0-9])"
)

_IBAN_TABLE = (
    "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 "
    "DJ27 DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 "
    "HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 "
    "MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 "
    "RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 "
    "VG24 XK20 YE30"
)
_IBAN_LENGTHS = {entry[:2]: int(entry[2:]) for entry in _IBAN_TABLE.split()}
# 8+ digits, at most two separators between them (phones, cards, IDs, IBANs, dotted
# addresses), or a dotted run of numbers (IPv4 candidates).
_NUMBER_GATE = re.compile(
    r"[0-9](?:(?P<long>(?:[ ().\-]{0,2}[0-9]){7,}[Xx]?)|(?P<dots>[0-9]*(?:\.[0-9]+){3,}))"
)
_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _digits(found: str) -> str:
    return "".join(ch for ch in found if ch.isdigit())


def _luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _valid_cn_id(found: str) -> bool:
    try:
        date(int(found[6:10]), int(found[10:12]), int(found[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(found[:17], _CN_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == found[17].upper()


def _valid_card(found: str) -> bool:
    number = _digits(found)
    return 13 <= len(number) <= 19 and _luhn(number)


def _valid_iban(found: str) -> bool:
    compact = found.replace(" ", "")
    expected = _IBAN_LENGTHS.get(compact[:2])
    if len(compact) != expected and (expected is not None or not 15 <= len(compact) <= 34):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _valid_ipv6(found: str) -> bool:
    if found.strip(":") == "":
        return False
    try:
        ipaddress.IPv6Address(found)
    except ValueError:
        return False
    return True


def _phone_length(found: str) -> int:
    """How much of the match is a phone: an international number is cut after the last group
    that keeps it within 15 digits (E.164), so it never swallows a following number."""
    if not found.startswith("+"):
        return len(found)
    digits = best = 0
    for i, ch in enumerate(found):
        if ch.isdigit():
            digits += 1
            if digits > 15:
                break
            if digits >= 8 and (i + 1 == len(found) or found[i + 1] in " .-"):
                best = i + 1
    return best


def _always(found: str) -> bool:
    return True


_Detector = tuple[str, re.Pattern[str], Callable[[str], bool | int]]
_EMAIL_DETECTOR: _Detector = ("EMAIL", _EMAIL, _always)
_IPV6_DETECTOR: _Detector = ("IPV6", _IPV6, _valid_ipv6)
_IBAN_DETECTOR: _Detector = ("IBAN", _IBAN, _valid_iban)
_IPV4_DETECTOR: _Detector = ("IPV4", _IPV4, _always)
_LONG_DETECTORS: tuple[_Detector, ...] = (
    ("CN_ID", _CN_ID, _valid_cn_id),
    ("CREDIT_CARD", _CARD, _valid_card),
    ("PHONE", _PHONE, _phone_length),
    _IPV4_DETECTOR,
)


def _scan(text: str, detector: _Detector, hits: list[PiiHit], pos: int, endpos: int) -> None:
    name, pattern, valid = detector
    match = pattern.search(text, pos, endpos)
    while match is not None:
        start, end = match.span()
        accepted = valid(match.group())
        if accepted:  # True: the whole match; an int: its first `accepted` characters
            end = end if accepted is True else start + accepted
            hits.append(PiiHit(start, end, name))
        match = pattern.search(text, end, endpos)


def _scan_numbers(text: str, hits: list[PiiHit]) -> None:
    """The digit-based detectors, run only inside the regions the number gate finds.

    A region ends where the next character can't continue a number, so a pattern's "no digit
    follows" check at the region's end holds in the whole text too.
    """
    iban = False
    for region in _NUMBER_GATE.finditer(text):
        pos, endpos = max(region.start() - 1, 0), region.end()  # -1: a leading "+" or "("
        if region.lastgroup == "dots":
            _scan(text, _IPV4_DETECTOR, hits, pos, endpos)
            continue
        iban = True
        for detector in _LONG_DETECTORS:
            _scan(text, detector, hits, pos, endpos)
    if iban:  # every IBAN holds a run of 8+ digits (spaces allowed)
        _scan(text, _IBAN_DETECTOR, hits, 0, len(text))


def detect_pii(text: str) -> list[PiiHit]:
    """Every PII hit in `text`, sorted by start, non-overlapping."""
    hits: list[PiiHit] = []
    if "@" in text:
        _scan(text, _EMAIL_DETECTOR, hits, 0, len(text))
    if text.count(":") >= 2:
        _scan(text, _IPV6_DETECTOR, hits, 0, len(text))
    if sum(map(text.count, "0123456789")) >= 4:  # every digit-based type has 4 or more
        _scan_numbers(text, hits)
    return _resolve(hits)


def _resolve(hits: list[PiiHit]) -> list[PiiHit]:
    """Non-overlapping hits, by priority, then length, then position; sorted by start."""
    if len(hits) < 2:
        return hits
    hits.sort(key=lambda h: (_RANK[h.type], h.start - h.end, h.start))
    kept: list[PiiHit] = []
    for hit in hits:
        if all(hit.end <= k.start or k.end <= hit.start for k in kept):
            kept.append(hit)
    kept.sort()
    return kept


def pii_summary(hits: Iterable[PiiHit]) -> dict[str, list[list[int]]]:
    """{type: [[start, end], ...]}, as stored in Document.pii in `flag` mode."""
    summary: dict[str, list[list[int]]] = {}
    for start, end, name in hits:
        summary.setdefault(name, []).append([start, end])
    return summary


def count_types(hits: Iterable[PiiHit]) -> Counter[str]:
    """{type: count}, to add to the import report's `pii`."""
    return Counter(hit.type for hit in hits)


def mask_record(record: Record, hits: list[PiiHit]) -> Record | Problem:
    """A copy of `record` with every hit (sorted, non-overlapping, as `detect_pii` returns them)
    replaced by its placeholder and every span remapped.

    A span outside every hit is shifted; a span covering whole hits (and maybe more text) then
    covers their placeholders (and the same other text). A span with a boundary strictly inside
    a hit is a `Problem`. With no hits, the record itself is returned.
    """
    if not hits:
        return record
    pieces: list[str] = []
    edits: list[tuple[int, int, int]] = []
    done = 0
    for start, end, name in hits:
        placeholder = PLACEHOLDERS[name]
        pieces += [record.text[done:start], placeholder]
        edits.append((start, end, len(placeholder)))
        done = end
    pieces.append(record.text[done:])
    offsets = OffsetMap(edits)

    def mapper(start: int, end: int) -> tuple[int, int] | str:
        new_start, new_end = offsets.map(start), offsets.map(end)
        if new_start is not None and new_end is not None:
            return new_start, new_end
        hit = hits[offsets.inside(start if new_start is None else end)]
        return (
            f"span [{start}, {end}) partially overlaps a {hit.type} at [{hit.start}, {hit.end}); "
            "masking it would change what the span covers"
        )

    return remap_record(record, "".join(pieces), mapper)
