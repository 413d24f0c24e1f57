"""Seeded synthetic corpora for the agents' tests and benchmarks (English, Chinese, emoji)."""

import random

from annotation.pure.assist.base import GoldDoc

FIRST = ["Alice", "Bob", "Carol", "David", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy",
         "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Wendy"]
LAST = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans", "Thomas", "Walker", "Wright"]
CITY = ["Paris", "London", "Berlin", "Madrid", "Rome", "Vienna", "Prague", "Oslo", "Dublin",
        "New York", "San Francisco", "Buenos Aires"]
ORG = ["Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Labs",
       "Vandelay", "Soylent", "Tyrell"]
FILLER = ["the", "report", "said", "that", "on", "a", "rainy", "morning", "several", "people",
          "gathered", "near", "the", "old", "station", "and", "talked", "about", "trains",
          "weather", "prices", "football", "music", "and", "local", "news", "while", "waiting",
          "for", "coffee"]
ZH_PER = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄晓明", "周杰", "吴刚"]
ZH_LOC = ["北京", "上海", "广州", "深圳", "杭州", "成都", "南京", "武汉", "西安", "重庆"]
ZH_ORG = ["阿里巴巴", "腾讯", "华为", "百度", "小米", "京东", "网易", "字节跳动"]
ZH_FILLER = list("今天天气很好我们一起讨论了最近的新闻和市场情况大家都觉得不错")
CUES = {"en": {"PER": ["with", "by", "told"], "LOC": ["in", "at", "near"],
               "ORG": ["for", "joined", "from"]},
        "zh": {"PER": ["和", "对", "告诉"], "LOC": ["在", "去", "到"], "ORG": ["加入", "为", "从"]}}
EMOJI = ["😀", "🎉", "👩‍💻", "🇫🇷", "👍🏽", "❤️"]


class Builder:
    """Appends text pieces, recording code-point offsets of the labelled ones."""

    def __init__(self) -> None:
        self.text = ""
        self.entities: list[tuple[int, int, str]] = []

    def add(self, piece: str, label: str | None = None) -> int:
        start = len(self.text)
        self.text += piece
        if label:
            self.entities.append((start, len(self.text), label))
        return len(self.entities) - 1


def _entity(rng: random.Random, zh: bool) -> tuple[str, str]:
    label = rng.choice(["PER", "LOC", "ORG"])
    if zh:
        return rng.choice({"PER": ZH_PER, "LOC": ZH_LOC, "ORG": ZH_ORG}[label]), label
    if label == "PER":
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}", label
    return rng.choice(CITY if label == "LOC" else ORG), label


def entity_doc(rng: random.Random, zh: bool = False, emoji: bool = False) -> GoldDoc:
    """About 30 English tokens or 40 Chinese characters with 2-3 entities."""
    doc, filler = Builder(), ZH_FILLER if zh else FILLER
    sep, span = ("", (7, 13)) if zh else (" ", (5, 9))
    if emoji:
        doc.add("".join(rng.sample(EMOJI, 2)) + " ")
    for _ in range(rng.randint(2, 3)):
        doc.add(sep.join(rng.choices(filler, k=rng.randint(*span))) + sep)
        surface, label = _entity(rng, zh)
        doc.add(rng.choice(CUES["zh" if zh else "en"][label]) + sep)
        doc.add(surface, label)
        doc.add(sep)
    doc.add(sep.join(rng.choices(filler, k=rng.randint(2, 6))) + ("。" if zh else " ."))
    return GoldDoc(doc.text, tuple(doc.entities))


def entity_docs(n: int, seed: int = 0, zh: bool = False, emoji: bool = False) -> list[GoldDoc]:
    rng = random.Random(seed)
    return [entity_doc(rng, zh, emoji) for _ in range(n)]


def relation_doc(rng: random.Random) -> GoldDoc:
    """People working for companies based in cities, with unrelated mentions around."""
    doc, relations = Builder(), []
    for _ in range(rng.randint(1, 2)):
        person = doc.add(f"{rng.choice(FIRST)} {rng.choice(LAST)}", "PER")
        verb = rng.choice(["works for", "joined", "visited", "met people from"])
        doc.add(f" {verb} ")
        org = doc.add(rng.choice(ORG), "ORG")
        if verb in ("works for", "joined"):
            relations.append((person, org, "works_for"))
        where = rng.choice(["based in", "near", "and flew to"])
        doc.add(f", {where} ")
        city = doc.add(rng.choice(CITY), "LOC")
        if where == "based in":
            relations.append((org, city, "based_in"))
        doc.add(". " + " ".join(rng.choices(FILLER, k=rng.randint(2, 5))) + ". ")
    return GoldDoc(doc.text, tuple(doc.entities), tuple(relations))


def relation_docs(n: int, seed: int = 0) -> list[GoldDoc]:
    rng = random.Random(seed)
    return [relation_doc(rng) for _ in range(n)]


POSITIVE = {"en": ["great", "excellent", "loved it", "wonderful", "amazing"],
            "zh": ["很好", "非常棒", "喜欢", "满意", "推荐"]}
NEGATIVE = {"en": ["terrible", "awful", "hated it", "broken", "disappointing"],
            "zh": ["很差", "糟糕", "失望", "讨厌", "退货"]}
NEUTRAL = {"en": ["it arrived", "the box", "on tuesday", "as listed"],
           "zh": ["收到了", "包装", "周二", "一般"]}


def sentiment_docs(n: int, seed: int = 0, lang: str = "en") -> list[GoldDoc]:
    rng = random.Random(seed)
    sep, docs = ("" if lang == "zh" else " "), []
    for _ in range(n):
        label = rng.choice(["pos", "neg"])
        words = rng.choices(POSITIVE[lang] if label == "pos" else NEGATIVE[lang], k=2)
        words += [*rng.choices(NEUTRAL[lang], k=rng.randint(1, 3)), rng.choice(EMOJI)]
        rng.shuffle(words)
        docs.append(GoldDoc(sep.join(words), sentiment=(label,)))
    return docs


TOPICS = {"price": ["expensive", "cheap", "price"], "service": ["waiter", "staff", "rude"],
          "food": ["pasta", "soup", "dessert"]}


def topic_docs(n: int, seed: int = 0) -> list[GoldDoc]:
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        labels = sorted(rng.sample(list(TOPICS), rng.randint(1, 2)))
        words = [rng.choice(TOPICS[name]) for name in labels]
        words += rng.choices(NEUTRAL["en"], k=2)
        rng.shuffle(words)
        docs.append(GoldDoc(" ".join(words), sentiment=tuple(labels)))
    return docs


SCALE = ["bad", "okay", "good", "superb"]
INTENSITY = [["awful", "worst"], ["fine", "average"], ["nice", "pleasant"], ["superb", "best"]]


def ordinal_docs(n: int, seed: int = 0) -> list[GoldDoc]:
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        level = rng.randrange(len(SCALE))
        words = [rng.choice(INTENSITY[level]), *rng.choices(NEUTRAL["en"], k=2)]
        rng.shuffle(words)
        docs.append(GoldDoc(" ".join(words), sentiment=(SCALE[level],)))
    return docs


def iob2(text: str, spans: list[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags over the project's tokens for token-aligned, non-overlapping spans."""
    from annotation.pure.tokens import tokenize

    tokens = tokenize(text)
    tags = ["O"] * len(tokens)
    for start, end, name in spans:
        inside = [i for i, (s, e) in enumerate(tokens) if s >= start and e <= end]
        assert inside, (start, end)
        assert (tokens[inside[0]][0], tokens[inside[-1]][1]) == (start, end)
        tags[inside[0]] = "B-" + name
        for i in inside[1:]:
            tags[i] = "I-" + name
    return tags


def seqeval_report(docs: list[GoldDoc], predicted: list[list[tuple[int, int, str]]]) -> dict:
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    gold = [iob2(doc.text, list(doc.entities)) for doc in docs]
    guess = [iob2(doc.text, spans) for doc, spans in zip(docs, predicted, strict=True)]
    return classification_report(gold, guess, output_dict=True, mode="strict", scheme=IOB2,
                                 zero_division=0)


def assert_same_as_seqeval(metrics: dict, report: dict) -> None:
    import pytest

    for name, row in metrics["per_label"].items():
        assert row["precision"] == pytest.approx(report[name]["precision"])
        assert row["recall"] == pytest.approx(report[name]["recall"])
        assert row["f1"] == pytest.approx(report[name]["f1-score"])
        assert row["support"] == report[name]["support"]
    assert set(metrics["per_label"]) == {k for k in report if not k.endswith(" avg")}
    assert metrics["f1"] == pytest.approx(report["micro avg"]["f1-score"])
    assert metrics["precision"] == pytest.approx(report["micro avg"]["precision"])
    assert metrics["recall"] == pytest.approx(report["micro avg"]["recall"])
