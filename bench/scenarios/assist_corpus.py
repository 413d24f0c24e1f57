"""The `assist` bench's gold corpus: deterministic English and Chinese news-style documents
with PER/ORG/LOC entities, works_for/located_in relations and a document sentiment.

Names come from two disjoint pools: `train` documents use one, `heldout` documents the
other, so a held-out mention's surface text never occurs in training, nor do its name words
(English first and last names, the pseudo-word stems of organisations and places, Chinese
given-name characters and two-character stems). What carries over is what a real corpus
shares: context words, title and suffix words (Bank, Group, Port, 集团, 市), Chinese
surnames, capitalisation. Sentences are put together from an opener, a template and slots;
see bench/README.md (`assist`) for what makes the task hard. Pure Python.
"""

import random
from dataclasses import dataclass
from functools import lru_cache

from annotation.pure.assist.base import GoldDoc

SENTIMENTS = ("positive", "neutral", "negative")
TARGET_CHARS = {"en": 400, "zh": 400}  # as the seeded project's documents
LABEL_NOISE = 0.05  # share of documents whose sentiment gold is a different class
RELATION_OF = {("PER", "ORG"): "works_for", ("ORG", "LOC"): "located_in"}
Span = tuple[int, int, str]

# --------------------------------------------------------------------------- name pools


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


EN_FIRST = _words(
    "Maria James Aisha Tom Elena David Sarah Lukas Priya John Olivia Noah Fatima Carlos "
    "Hannah Igor Mei Pedro Grace Samuel Leila Oscar Nadia Victor Chloe Rafael Yuki Daniel "
    "Amara Felix Ingrid Marco Zara Hugo Selin Dmitri Lucia Kofi Anna Tariq Irene Bruno "
    "Keiko Emil Rosa Ahmed Clara Jonas Lina Mateo Sofia Ravi Helga Omar Julia Diego Ines "
    "Viktor Maya Pablo Greta Yusuf Alma Henrik Nina Arjun Eva Luca Sana Tobias Ada")
EN_LAST = _words(
    "Lopez Carter Khan Becker Rossi Okafor Nguyen Meyer Shah Walsh Brennan Ivanova Tanaka "
    "Moreau Haddad Fischer Kowalski Mensah Silva Novak Lindqvist Osei Dubois Park Costa "
    "Yilmaz Jansen Petrov Alvarez Nakamura Weber Adeyemi Larsen Bianchi Kim Farouk Schmidt "
    "Ortega Sato Quinn Hughes Patel Reyes Holm Aydin Murphy Tshabalala Varga Castillo "
    "Eriksen Sandoval Morita Whitfield Okonkwo Berger Marchetti Fontaine Rahman Duarte "
    "Kessler Abebe Lindgren Moretti Halvorsen Chowdhury Ferreira Kaplan Stroud")
EN_SYLLABLES = _words("ka lo ren mar tis bel dor vin sa ul ran tor mi len gar fen ol wyn bra cor "
                "del ta rix ven qua zel mor ith an ber cal dun est fal gri hal jor kel")
EN_ORG_SUFFIX = ("Group", "Holdings", "Bank", "Energy", "Labs", "Motors", "Airlines",
                 "Pharma", "Capital", "Systems", "Foods", "Mining", "Telecom", "Insurance")
EN_LOC_SUFFIX = ("", "", "", "", " City", "port", "ville", " Bay", "burg", "ton")

ZH_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
ZH_GIVEN = ("伟芳娜洋静帆磊敏杰倩强军平刚桂英华玉兰秀霞明建国志文海红丽云飞鹏辉超涛浩宇晨欣怡"
            "佳琪思雨嘉瑞博凯鑫宁阳楠婷璐晶晓春梅峰斌彬豪俊龙勇毅")
ZH_ORG_STEMS = ("华信天宇长江东方新元金石远航恒达中盛海川瑞丰鼎立光明百川星辰同创鸿运"
                "宏图永安汇通盛世锦博雅安泰嘉禾蓝海")
ZH_ORG_SUFFIX = ("集团", "科技", "银行", "能源", "汽车", "医药", "证券", "航空", "电子",
                 "控股", "地产", "保险")
ZH_LOC_CHARS = "江河山阳平安宁州兴南北东西泉湖城德清源丰昌临岭川海沙桥溪云石松"
ZH_LOC_SUFFIX = ("", "市", "市", "县", "区", "省")


@dataclass(frozen=True)
class Pools:
    first: tuple[str, ...]  # English first names; Chinese given-name characters
    last: tuple[str, ...]  # English last names; Chinese surnames (shared by both parts)
    org: tuple[str, ...]  # organisation stems
    loc: tuple[str, ...]  # place stems


def _halves(items: list[str], part: str) -> list[str]:
    return items[0::2] if part == "train" else items[1::2]


def _pseudo(rng: random.Random, syllables: list[str], count: int) -> list[str]:
    out: set[str] = set()
    while len(out) < count:
        out.add("".join(rng.choice(syllables) for _ in range(rng.choice((2, 2, 3)))).title())
    return sorted(out)


@lru_cache(maxsize=4)
def pools(lang: str, part: str) -> Pools:
    """The names of `part` ("train" or "heldout"): disjoint from the other part's."""
    rng = random.Random(f"assist-pools-{lang}")
    if lang == "en":
        stems = _pseudo(rng, list(EN_SYLLABLES), 1600)
        rng.shuffle(stems)
        mine = _halves(stems, part)
        return Pools(tuple(_halves(list(EN_FIRST), part)), tuple(_halves(list(EN_LAST), part)),
                     tuple(mine[: len(mine) // 2]), tuple(mine[len(mine) // 2:]))
    stems = sorted({a + b for a in ZH_ORG_STEMS for b in ZH_ORG_STEMS if a != b})
    places = sorted({a + b for a in ZH_LOC_CHARS for b in ZH_LOC_CHARS if a != b} - set(stems))
    rng.shuffle(stems)
    rng.shuffle(places)
    return Pools(tuple(_halves(list(ZH_GIVEN), part)), tuple(ZH_SURNAMES),
                 tuple(_halves(stems, part)), tuple(_halves(places, part)))


# --------------------------------------------------------------------------- names
# Each returns (text, entities relative to it). The forms make the surface alone ambiguous:
# a bare stem may be an organisation or a place; a partnership is two surnames (an ORG);
# "Bank of X", "X Bank", "X银行" hold a place inside one ORG; "Mr X" labels only X.


def person(lang: str, pool: Pools, rng: random.Random) -> tuple[str, list[Span]]:
    if lang == "en":
        first, last = rng.choice(pool.first), rng.choice(pool.last)
        roll = rng.random()
        if roll < 0.55:
            name = f"{first} {last}"
        elif roll < 0.65:
            name = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
        elif roll < 0.85:
            title = rng.choice(("Mr ", "Ms ", "Dr ", "President ", "Minister "))
            return title + last, [(len(title), len(title) + len(last), "PER")]
        else:
            name = last
        return name, [(0, len(name), "PER")]
    surname = rng.choice(pool.last)
    given = "".join(rng.choice(pool.first) for _ in range(rng.choice((1, 2, 2))))
    roll = rng.random()
    if roll < 0.8:
        name = surname + given
        return name, [(0, len(name), "PER")]
    title = rng.choice(("先生", "女士", "教授", "总经理"))
    return surname + given + title, [(0, len(surname) + len(given), "PER")]


def organisation(lang: str, pool: Pools, rng: random.Random) -> tuple[str, list[Span]]:
    stem, roll = rng.choice(pool.org), rng.random()
    if lang == "en":
        if roll < 0.45:
            name = f"{stem} {rng.choice(EN_ORG_SUFFIX)}"
        elif roll < 0.65:
            name = stem  # bare: shaped like a place
        elif roll < 0.75:
            name = f"{rng.choice(pool.last)} & {rng.choice(pool.last)}"
        elif roll < 0.85:
            name = f"{rng.choice(('Bank', 'University', 'Port Authority'))} of " \
                   f"{place_name(lang, pool, rng, bare=True)}"
        else:
            name = f"{place_name(lang, pool, rng, bare=True)} {rng.choice(EN_ORG_SUFFIX)}"
        return name, [(0, len(name), "ORG")]
    if roll < 0.5:
        name = stem + rng.choice(ZH_ORG_SUFFIX)
    elif roll < 0.7:
        name = stem  # bare: shaped like a place
    elif roll < 0.85:
        name = place_name(lang, pool, rng, bare=True) + rng.choice(("银行", "大学", "日报"))
    else:
        name = stem + rng.choice(ZH_ORG_SUFFIX) + "公司"
    return name, [(0, len(name), "ORG")]


def place_name(lang: str, pool: Pools, rng: random.Random, bare: bool = False) -> str:
    stem = rng.choice(pool.loc)
    if bare:
        return stem
    roll = rng.random()
    if lang == "en":
        if roll < 0.6:
            return stem
        if roll < 0.8:
            return rng.choice(("New ", "Port ", "North ", "San ")) + stem
        return stem + rng.choice((" Province", " Valley", " City", " Bay"))
    if roll < 0.4:
        return stem
    return stem + rng.choice(ZH_LOC_SUFFIX[1:])


def place(lang: str, pool: Pools, rng: random.Random) -> tuple[str, list[Span]]:
    name = place_name(lang, pool, rng)
    return name, [(0, len(name), "LOC")]


def agent(lang: str, pool: Pools, rng: random.Random) -> tuple[str, list[Span]]:
    """Whoever acts: a person, an organisation, a place (its government), or no entity."""
    roll = rng.random()
    if roll < 0.3:
        return person(lang, pool, rng)
    if roll < 0.6:
        return organisation(lang, pool, rng)
    if roll < 0.7:
        return place(lang, pool, rng)
    return rng.choice(EN_COMMON if lang == "en" else ZH_COMMON), []


EN_COMMON = ("the company", "local officials", "a spokesperson", "analysts", "the ministry",
             "investors", "the regulator", "the central bank", "its chief executive",
             "the group", "the union", "the city council")
ZH_COMMON = ("该公司", "当地官员", "发言人", "分析人士", "投资者", "监管部门", "央行",
             "该集团", "工会", "市政府")
SLOTS = {"PER": person, "ORG": organisation, "LOC": place, "AGENT": agent}

# --------------------------------------------------------------------------- templates
# {PER} {ORG} {LOC}: an entity of that type (in any of its forms); {AGENT}: a person, an
# organisation, a place or a common noun phrase, so the context alone does not tell the
# type; {POS} {NEG} {NEU}: an event phrase that carries the sentence's polarity (some
# negated: "did not fall" is positive); {X}: a capitalised word that is no entity (a
# weekday, a product, a title, an acronym). `rel`: adjacent PER-ORG / ORG-LOC pairs are
# related (works_for, located_in).

EN_TEMPLATES: tuple[tuple[str, bool], ...] = (
    ("{PER}, who leads {ORG}, said hiring in {LOC} {POS}.", True),
    ("{PER}, chief executive of {ORG}, said the company {NEG}.", True),
    ("Shares of {ORG} {POS} on {X} after results beat forecasts.", False),
    ("Shares of {ORG} {NEG} on {X} as investors worried about debt.", False),
    ("{ORG}, based in {LOC}, {NEU}.", True),
    ("{LOC}-based {ORG} said its sales {POS}.", False),
    ("Officials in {LOC} warned that exports {NEG}.", False),
    ("{PER} of {ORG} told reporters that the merger talks {NEG}.", True),
    ("{PER} of {ORG} told reporters that the new plant {POS}.", True),
    ("{AGENT} said on {X} that demand {POS}.", False),
    ("{AGENT} said on {X} that demand {NEG}.", False),
    ("{AGENT} said the {X} figures {NEU}.", False),
    ("According to {AGENT}, the {X} launch {POS}.", False),
    ("According to {AGENT}, the {X} launch {NEG}.", False),
    ("{AGENT} {NEU}.", False),
    ("Protesters gathered in {LOC} to demand lower energy prices.", False),
    ("{PER} was named chair of {ORG}, replacing a long-time rival.", True),
    ("The deal, signed in {LOC}, is worth about 3 billion dollars.", False),
    ("{ORG} in {LOC} cut its growth outlook, and its margins {NEG}.", True),
    ("{PER} met {PER} in {LOC} to discuss the {X} project.", False),
    ("{AGENT} and {AGENT} agreed to extend the {X} programme.", False),
    ("Markets were quiet ahead of the holiday, and trading {NEU}.", False),
    ("Investors {POS} after the central bank held rates.", False),
    ("Demand for the {X} {NEG}, retailers said.", False),
    ("{PER} criticised {AGENT} for its handling of the recall.", False),
    ("Travel between {LOC} and {LOC} {NEG} during the strike.", False),
    ("Prices in {LOC} {POS} for a third month.", False),
    ("Nothing changed on {X}: the index {NEU}.", False),
    ("A spokesperson for {ORG} declined to comment.", False),
    ("{X} sales {POS}, while costs {NEG}.", False),
    ("The {X} report, due in {X}, {NEU}.", False),
    ("{ORG} hired {PER} from {ORG} to run its {LOC} office.", False),
    ("Flights from {LOC} to {LOC} {NEU}.", False),
)
EN_EVENTS = {
    "POS": ("rose sharply", "would double", "beat expectations", "improved markedly",
            "was a clear success", "grew faster than expected", "recovered strongly",
            "did not fall", "avoided a loss", "was welcomed by analysts", "gained ground",
            "was better than feared", "did not disappoint"),
    "NEG": ("fell sharply", "had stalled", "missed forecasts", "collapsed", "was a failure",
            "could disrupt supply", "slumped", "came under heavy criticism", "did not recover",
            "failed to improve", "lost ground", "was halted", "was worse than feared"),
    "NEU": ("published its annual report", "was unchanged", "moved in a narrow range",
            "would be reviewed next year", "held its annual meeting", "was in line with "
            "estimates", "will be announced later", "opened a new office", "did not change",
            "had been expected"),
}
EN_X = ("Monday", "Tuesday", "Friday", "March", "October", "Model S", "Atlas 5", "Nova",
        "Chief Financial Officer", "Prime Minister", "Eurozone", "Q3", "Series B", "Orion",
        "GDP", "IPO", "Christmas", "Brexit", "Internet", "Galaxy", "Phoenix", "Summit")
EN_OPENERS = ("", "", "", "", "However, ", "Meanwhile, ", "On Tuesday, ", "Separately, ",
              "Earlier this year, ", "Still, ", "In March, ", "As expected, ")

ZH_TEMPLATES: tuple[tuple[str, bool], ...] = (
    ("{ORG}负责人{PER}表示，{LOC}的招聘{POS}。", True),
    ("{ORG}董事长{PER}说，公司业绩{NEG}。", True),
    ("{X}，{ORG}股价{POS}，业绩超出市场预期。", False),
    ("{X}，{ORG}股价{NEG}，投资者担心债务问题。", False),
    ("总部位于{LOC}的{ORG}{NEU}。", False),
    ("{LOC}官员警告，出口{NEG}。", False),
    ("{ORG}的{PER}对记者说，合并谈判{NEG}。", True),
    ("{ORG}的{PER}对记者说，新工厂{POS}。", True),
    ("{AGENT}{X}表示，需求{POS}。", False),
    ("{AGENT}{X}表示，需求{NEG}。", False),
    ("{AGENT}称，{X}数据{NEU}。", False),
    ("据{AGENT}介绍，{X}项目{POS}。", False),
    ("据{AGENT}介绍，{X}项目{NEG}。", False),
    ("{AGENT}{NEU}。", False),
    ("大批民众在{LOC}集会，要求降低能源价格。", False),
    ("{PER}出任{ORG}董事长。", True),
    ("这项在{LOC}签署的协议价值约三十亿元。", False),
    ("{LOC}的{ORG}下调全年预期，利润{NEG}。", False),
    ("{PER}在{LOC}会见了{PER}，讨论{X}项目。", False),
    ("{AGENT}与{AGENT}同意延长{X}计划。", False),
    ("节前市场清淡，成交{NEU}。", False),
    ("央行维持利率不变后，投资者信心{POS}。", False),
    ("零售商称，{X}的需求{NEG}。", False),
    ("{PER}批评{AGENT}处理召回事件不力。", False),
    ("罢工期间，{LOC}与{LOC}之间的交通{NEG}。", False),
    ("{LOC}物价连续三个月{POS}。", False),
    ("{ORG}发言人拒绝置评。", False),
    ("{X}销量{POS}，但成本{NEG}。", False),
    ("{ORG}从{ORG}挖来{PER}，负责{LOC}业务。", False),
)
ZH_EVENTS = {
    "POS": ("大幅增长", "明显改善", "超出预期", "强劲反弹", "取得成功", "稳步上升", "获得好评",
            "没有下降", "好于预期", "扭亏为盈"),
    "NEG": ("大幅下跌", "陷入僵局", "不及预期", "严重受挫", "遭到批评", "持续下滑", "被迫暂停",
            "没有好转", "差于预期", "由盈转亏"),
    "NEU": ("发布年度报告", "基本持平", "保持稳定", "将于明年审议", "召开年度会议", "符合预期",
            "没有变化"),
}
ZH_X = ("周一", "周五", "三月", "第三季度", "星光", "天穹", "新一代", "本周", "去年", "国内",
        "华为", "长城", "东风")
ZH_OPENERS = ("", "", "", "", "另外，", "与此同时，", "此外，", "今年早些时候，", "不过，",
              "三月，")


def _events(lang: str) -> dict[str, tuple[str, ...]]:
    return EN_EVENTS if lang == "en" else ZH_EVENTS


def _sentence(lang: str, pool: Pools, rng: random.Random
              ) -> tuple[str, list[Span], list[tuple[int, int, str]], int]:
    """One sentence: text, entities (start, end, label), relations (indices into its
    entities), polarity (+1, 0, -1 per event phrase)."""
    template, related = rng.choice(EN_TEMPLATES if lang == "en" else ZH_TEMPLATES)
    text = rng.choice(EN_OPENERS if lang == "en" else ZH_OPENERS)
    entities: list[Span] = []
    polarity = 0
    rest = template
    first = True
    while "{" in rest:
        before, _, tail = rest.partition("{")
        slot, _, rest = tail.partition("}")
        text += _case(before, text, first, lang)
        first = first and not before
        if slot in SLOTS:
            piece, found = SLOTS[slot](lang, pool, rng)
            piece = _case(piece, text, first, lang) if not found or found[0][0] > 0 else piece
            entities += [(len(text) + s, len(text) + e, name) for s, e, name in found]
        elif slot in ("POS", "NEG", "NEU"):
            piece = rng.choice(_events(lang)[slot])
            polarity += {"POS": 1, "NEG": -1, "NEU": 0}[slot]
        else:
            piece = rng.choice(EN_X if lang == "en" else ZH_X)
        text += piece
        first = False
    text += rest
    relations = []
    if related:
        for i in range(len(entities) - 1):
            a, b = entities[i][2], entities[i + 1][2]
            if (a, b) in RELATION_OF:
                relations.append((i, i + 1, RELATION_OF[(a, b)]))
            elif (b, a) in RELATION_OF:  # 某公司负责人某某: the person comes second
                relations.append((i + 1, i, RELATION_OF[(b, a)]))
    return text, entities, relations, polarity


def _case(piece: str, text: str, first: bool, lang: str) -> str:
    """English: a sentence starts with a capital; after an opener, a word is lower case."""
    if lang != "en" or not piece or not first:
        return piece
    return piece[0].upper() + piece[1:] if not text else piece[0].lower() + piece[1:]


def document(lang: str, part: str, rng: random.Random) -> GoldDoc:
    pool = pools(lang, part)
    sep = " " if lang == "en" else ""
    text = ""
    entities: list[Span] = []
    relations: list[tuple[int, int, str]] = []
    polarity = 0
    while len(text) < TARGET_CHARS[lang] - 40:
        if text:
            text += sep
        sentence, found, related, pol = _sentence(lang, pool, rng)
        base, offset = len(entities), len(text)
        entities += [(s + offset, e + offset, name) for s, e, name in found]
        relations += [(h + base, t + base, name) for h, t, name in related]
        text += sentence
        polarity += pol
    sentiment = "positive" if polarity > 0 else "negative" if polarity < 0 else "neutral"
    if rng.random() < LABEL_NOISE:
        sentiment = rng.choice([s for s in SENTIMENTS if s != sentiment])
    order = sorted(range(len(entities)), key=lambda i: entities[i])
    where = {old: new for new, old in enumerate(order)}
    return GoldDoc(text=text, entities=tuple(entities[i] for i in order),
                   relations=tuple(sorted((where[h], where[t], n) for h, t, n in relations)),
                   sentiment=(sentiment,), meta={"lang": lang})


def documents(lang: str, part: str, n: int, seed: int) -> list[GoldDoc]:
    """`n` documents of `lang` ("en", "zh" or "mix": 55% English) from `part`'s names."""
    rng = random.Random(f"assist-{seed}-{lang}-{part}")
    if lang == "mix":
        return [document("zh" if rng.random() < 0.45 else "en", part, rng) for _ in range(n)]
    return [document(lang, part, rng) for _ in range(n)]
