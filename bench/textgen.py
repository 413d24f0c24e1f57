"""Deterministic synthetic corpus: news-style English and Chinese documents and annotations.

Pure Python, no Django. Offsets are code points into the text, end exclusive, like the app.
"""

import random
import re
from dataclasses import dataclass

ENTITY_KINDS = ("PER", "ORG", "LOC", "DATE")
# Relation label -> (head entity kind, tail entity kind), drawn between adjacent spans.
RELATIONS = {"works_for": ("PER", "ORG"), "located_in": ("ORG", "LOC")}
SENTIMENTS = ("positive", "neutral", "negative")
TARGET_CHARS = 400
POOL_SIZE = 3000
MAX_ENTITIES = 6  # the labelled mentions per document; the other names stay unlabelled

NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "PER": ("Maria Lopez", "James Carter", "Aisha Khan", "Tom Becker", "Elena Rossi",
                "David Okafor", "Sarah Nguyen", "Lukas Meyer", "Priya Shah", "John Walsh"),
        "ORG": ("Northwind Energy", "the Central Bank", "Atlas Motors", "Globex", "the UN",
                "Helios Pharma", "Orbit Airlines", "the Finance Ministry", "Vertex Labs"),
        "LOC": ("London", "Nairobi", "São Paulo", "Berlin", "Jakarta", "Toronto", "Lyon",
                "the Pacific coast", "Mumbai", "Cape Town"),
        "DATE": ("Monday", "last week", "March 3", "early 2024", "Friday", "the second quarter",
                 "on Tuesday", "this spring"),
    },
    "zh": {
        "PER": ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴倩"),
        "ORG": ("中国银行", "华信能源", "国家统计局", "长江汽车", "新华社", "南方航空",
                "清华大学", "天宇科技", "财政部"),
        "LOC": ("北京", "上海", "深圳", "成都", "武汉", "杭州", "广州", "西安", "重庆", "南京"),
        "DATE": ("周一", "上周", "三月三日", "今年年初", "周五", "第二季度", "去年", "本月"),
    },
}

TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (
        "{PER}, who leads {ORG}, said on {DATE} that hiring in {LOC} would double.",
        "Shares of {ORG} rose sharply {DATE} after results beat forecasts.",
        "{ORG}, based in {LOC}, announced a new plant that will employ 2,000 people.",
        "Officials in {LOC} warned {DATE} that floods could disrupt rail traffic.",
        "{PER} of {ORG} told reporters the merger talks had stalled.",
        "Analysts expect inflation to ease by {DATE}, according to {ORG}.",
        "Protesters gathered in {LOC} to demand lower energy prices.",
        "{PER} was named chair of {ORG} {DATE}, replacing a long-time rival.",
        "The deal, signed in {LOC}, is worth about 3 billion dollars.",
        "{ORG} in {LOC} cut its growth outlook for the year.",
    ),
    "zh": (
        "{ORG}负责人{PER}{DATE}表示，{LOC}的招聘规模将扩大一倍。",
        "{DATE}，{ORG}股价大幅上涨，业绩超出市场预期。",
        "总部位于{LOC}的{ORG}宣布新建工厂，预计提供两千个岗位。",
        "{LOC}官员{DATE}警告，洪水可能影响铁路运输。",
        "{ORG}的{PER}对记者说，合并谈判陷入僵局。",
        "据{ORG}预计，通胀将在{DATE}有所缓解。",
        "大批民众在{LOC}集会，要求降低能源价格。",
        "{PER}{DATE}出任{ORG}董事长。",
        "这项在{LOC}签署的协议价值约三十亿元。",
        "{LOC}的{ORG}下调了全年增长预期。",
    ),
}

SLOT = re.compile(r"\{(" + "|".join(ENTITY_KINDS) + r")\}")
SEPARATOR = {"en": " ", "zh": ""}


@dataclass(frozen=True)
class Sentence:
    text: str
    entities: tuple[tuple[int, int, str], ...]  # (start, end, kind), relative to the sentence


@dataclass(frozen=True)
class DocPlan:
    text: str
    lang: str
    entities: tuple[tuple[int, int, str], ...]  # the "true" mentions, sorted, non-overlapping
    sentiment: str


@dataclass(frozen=True)
class AnnotationPlan:
    spans: list[tuple[int, int, str]]  # (start, end, entity kind)
    relations: list[tuple[int, int, str]]  # (head span index, tail span index, relation)
    sentiment: str


def _fill(template: str, names: dict[str, tuple[str, ...]], rng: random.Random) -> Sentence:
    parts: list[str] = []
    entities: list[tuple[int, int, str]] = []
    pos = 0
    for i, piece in enumerate(SLOT.split(template)):
        if i % 2:  # a slot: the entity kind
            piece, kind = rng.choice(names[piece]), piece
            entities.append((pos, pos + len(piece), kind))
        parts.append(piece)
        pos += len(piece)
    return Sentence("".join(parts), tuple(entities))


def sentence_pool(lang: str, seed: int, size: int = POOL_SIZE) -> list[Sentence]:
    rng = random.Random(f"{seed}-{lang}")
    return [_fill(rng.choice(TEMPLATES[lang]), NAMES[lang], rng) for _ in range(size)]


class Corpus:
    """Documents of about TARGET_CHARS characters, composed from pooled sentences."""

    def __init__(self, seed: int = 1, zh_share: float = 0.45) -> None:
        self.rng = random.Random(seed)
        self.zh_share = zh_share
        self.pools = {lang: sentence_pool(lang, seed) for lang in TEMPLATES}

    def document(self) -> DocPlan:
        rng = self.rng
        lang = "zh" if rng.random() < self.zh_share else "en"
        sep, pool = SEPARATOR[lang], self.pools[lang]
        parts: list[str] = []
        entities: list[tuple[int, int, str]] = []
        pos = 0
        while pos < TARGET_CHARS - 25:
            sentence = rng.choice(pool)
            if parts:
                parts.append(sep)
                pos += len(sep)
            entities.extend((pos + s, pos + e, k) for s, e, k in sentence.entities)
            parts.append(sentence.text)
            pos += len(sentence.text)
        chosen = sorted(rng.sample(entities, min(MAX_ENTITIES, len(entities))))
        sentiment = rng.choices(SENTIMENTS, weights=(3, 5, 2))[0]
        return DocPlan("".join(parts), lang, tuple(chosen), sentiment)

    def annotation(self, doc: DocPlan) -> AnnotationPlan:
        """One annotator's noisy version of the true mentions: misses, label swaps, trims."""
        rng = self.rng
        spans: list[tuple[int, int, str]] = []
        for start, end, kind in doc.entities:
            roll = rng.random()
            if roll < 0.08:
                continue
            if roll < 0.12:
                kind = rng.choice(ENTITY_KINDS)
            elif roll < 0.15 and end - start > 1:
                end -= 1  # a boundary disagreement; still inside the mention
            spans.append((start, end, kind))
        sentiment = doc.sentiment if rng.random() < 0.8 else rng.choice(SENTIMENTS)
        return AnnotationPlan(spans, relations_between(spans), sentiment)


def relations_between(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kinds = {pair: name for name, pair in RELATIONS.items()}
    out: list[tuple[int, int, str]] = []
    for i in range(len(spans) - 1):
        name = kinds.get((spans[i][2], spans[i + 1][2]))
        if name:
            out.append((i, i + 1, name))
    return out
