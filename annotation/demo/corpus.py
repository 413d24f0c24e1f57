"""The demo corpus: 30 English and 30 Simplified Chinese news-style texts, all fictional.

Texts are written with inline marks, `{Helix Robotics|ORG}`, and built segment by segment:
an entity's offsets are the len() of the text accumulated so far, so none is hand-counted.
Offsets are Python str indexes (code points), end exclusive, as everywhere in Concord.
Relations name entities by their index in the text, in order of appearance.
"""

import re
from dataclasses import dataclass

ENTITY_LABELS = ("PER", "ORG", "LOC", "DATE")
# relation -> (allowed head labels, allowed tail labels)
RELATION_RULES = {
    "works_for": (("PER",), ("ORG",)),
    "located_in": (("ORG",), ("LOC",)),
    "born_in": (("PER",), ("LOC",)),
}
SENTIMENTS = ("negative", "neutral", "positive")  # ordinal: this order is the scale

WORKS, IN, BORN = "works_for", "located_in", "born_in"
SOURCE = "Concord demo wire (fictional)"


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class DemoDoc:
    external_id: str
    lang: str
    text: str
    entities: tuple[Entity, ...]
    relations: tuple[tuple[int, int, str], ...]  # (head index, tail index, relation label)
    sentiment: str


MARK = re.compile(r"\{([^{}|]+)\|([A-Z]+)\}")


def build(external_id: str, lang: str, marked: str, relations: list, sentiment: str) -> DemoDoc:
    """Turn a marked text into a document, checking every entity, relation and sentiment."""
    text, entities, pos = "", [], 0
    for match in MARK.finditer(marked):
        text += marked[pos:match.start()]
        surface, label = match.group(1), match.group(2)
        if label not in ENTITY_LABELS:
            raise ValueError(f"{external_id}: unknown entity label {label}")
        start = len(text)
        text += surface
        entities.append(Entity(start, len(text), label, surface))
        pos = match.end()
    text += marked[pos:]
    if "{" in text or "}" in text or "|" in text:
        raise ValueError(f"{external_id}: a malformed entity mark is left in the text")
    for head, tail, name in relations:
        heads, tails = RELATION_RULES[name]
        if head == tail or entities[head].label not in heads or entities[tail].label not in tails:
            raise ValueError(f"{external_id}: relation {name} {head}->{tail} breaks its rules")
    if sentiment not in SENTIMENTS:
        raise ValueError(f"{external_id}: unknown sentiment {sentiment}")
    return DemoDoc(external_id, lang, text, tuple(entities),
                   tuple((h, t, n) for h, t, n in relations), sentiment)


# (sentiment, marked text, relations)
ENGLISH = [
    ("positive", "{Maria Santos|PER}, chief engineer at {Northwind Energy|ORG}, said on "
     "{12 March 2024|DATE} that the company's new wind farm near {Porto|LOC} is ahead of "
     "schedule.", [(0, 1, WORKS)]),
    ("negative", "Shares in {Helix Robotics|ORG} fell 14% on {Tuesday|DATE} after the "
     "{Boston|LOC}-based firm cut its annual forecast.", [(0, 2, IN)]),
    ("neutral", "{Daniel Okoye|PER}, who was born in {Lagos|LOC}, will join {Meridian Bank|ORG} "
     "as head of risk in {January|DATE}.", [(0, 1, BORN), (0, 2, WORKS)]),
    ("positive", "👩‍💻 {Lina Park|PER} and her team at {Quillstack|ORG} released the first "
     "open-source version of their editor on {5 May 2024|DATE}.", [(0, 1, WORKS)]),
    ("negative", "Flooding closed three stations in {Hamburg|LOC} on {Sunday|DATE}, and "
     "{Nordbahn Rail|ORG} warned of delays lasting until the weekend.", []),
    ("neutral", "🇫🇷 {Claire Dubois|PER} was named director of the {Musée Lumière|ORG} in "
     "{Paris|LOC} on {2 September 2024|DATE}.", [(0, 1, WORKS), (1, 2, IN)]),
    ("positive", "{Greenleaf Foods|ORG} opened its largest warehouse yet in {Rotterdam|LOC}, "
     "creating 400 jobs, chief executive {Pieter de Vries|PER} said.", [(0, 1, IN), (2, 0, WORKS)]),
    ("negative", "{Arcadia Airlines|ORG} cancelled 120 flights out of {Denver|LOC} on "
     "{Friday|DATE} as pilots walked out over pay.", [(0, 1, IN)]),
    ("neutral", "{Sofia Rossi|PER}, an analyst at {Lumen Capital|ORG} in {Milan|LOC}, expects "
     "rates to stay unchanged until {June|DATE}.", [(0, 1, WORKS), (1, 2, IN)]),
    ("positive", "🎉 {Accra|LOC}-born runner {Kwame Mensah|PER} won the {Berlin|LOC} marathon "
     "on {29 September 2024|DATE}.", [(1, 0, BORN)]),
    ("negative", "Regulators in {Brussels|LOC} fined {Orbitel|ORG} €40 million on "
     "{18 June 2024|DATE} for misleading customers about roaming charges.", []),
    ("neutral", "{Tomás Herrera|PER} left {Vela Motors|ORG} after eleven years to start a "
     "battery company in {Valencia|LOC}.", [(0, 1, WORKS)]),
    ("positive", "{Brightwater Health|ORG} said its clinic in {Nairobi|LOC} has treated 50,000 "
     "patients since it opened in {2021|DATE}.", [(0, 1, IN)]),
    ("negative", "Fans were angry when {Harbor City FC|ORG} sold striker {Jonas Lind|PER} to a "
     "rival club on {31 August|DATE}.", [(1, 0, WORKS)]),
    ("neutral", "The {Global Climate Forum|ORG} will hold its next round of talks in "
     "{Nairobi|LOC} in {November 2025|DATE}, organisers said.", []),
    ("positive", "👩‍🔬 Researchers led by {Amara Singh|PER} at {Coldharbour University|ORG} in "
     "{Edinburgh|LOC} reported a cheaper way to recycle lithium.", [(0, 1, WORKS), (1, 2, IN)]),
    ("negative", "{Redwood Logistics|ORG} will close its depot in {Leeds|LOC} by {April|DATE}, "
     "putting 230 jobs at risk.", [(0, 1, IN)]),
    ("neutral", "{Yuki Tanaka|PER}, born in {Osaka|LOC}, now leads the {Tokyo|LOC} office of "
     "{Sakura Digital|ORG}.", [(0, 1, BORN), (0, 3, WORKS), (3, 2, IN)]),
    ("positive", "🇨🇦 {Maplefield Solar|ORG} signed a deal on {3 July 2024|DATE} to power "
     "20,000 homes in {Calgary|LOC}.", []),
    ("negative", "Police in {Marseille|LOC} arrested two men on {Monday|DATE} after a fire "
     "damaged the offices of the newspaper {Le Courrier Sud|ORG}.", [(2, 0, IN)]),
    ("neutral", "{Ahmed Karimi|PER} has been appointed chief financial officer of "
     "{Falcon Telecom|ORG}, the {Dubai|LOC} company said in a statement.",
     [(0, 1, WORKS), (1, 2, IN)]),
    ("positive", "Tourism in {Lisbon|LOC} hit a record in {August 2024|DATE}, according to "
     "figures from {Turismo Lisboa|ORG}.", [(2, 0, IN)]),
    ("negative", "{Cobalt Mining Corp|ORG} reported a loss of $310 million for the quarter to "
     "{30 June|DATE}, and its chairman {Richard Hale|PER} stepped down.", [(2, 0, WORKS)]),
    ("neutral", "{Elena Petrova|PER}, a spokeswoman for {Baltic Ferries|ORG}, said services "
     "between {Tallinn|LOC} and {Helsinki|LOC} would resume on {Thursday|DATE}.", [(0, 1, WORKS)]),
    ("positive", "{Samuel Adeyemi|PER} was born in {Ibadan|LOC} and now runs {Kora Pay|ORG}, "
     "which processed $2 billion in payments in {2023|DATE}.", [(0, 1, BORN), (0, 2, WORKS)]),
    ("negative", "A strike at the port of {Antwerp|LOC} entered its fifth day on "
     "{14 October 2024|DATE}, with {Scheldt Shipping|ORG} diverting vessels to "
     "{Rotterdam|LOC}.", []),
    ("neutral", "🇩🇪 {Felix Braun|PER} of {Rheinwerk Bank|ORG} said the {Frankfurt|LOC} lender "
     "would publish its results on {7 November|DATE}.", [(0, 1, WORKS), (1, 2, IN)]),
    ("positive", "{Nadia Haddad|PER} became the first woman to captain {Cedars Rugby Club|ORG}, "
     "the {Beirut|LOC} team announced on {Saturday|DATE}.", [(0, 1, WORKS), (1, 2, IN)]),
    ("negative", "Customers of {Pinecone Broadband|ORG} in {Portland|LOC} lost internet access "
     "for nine hours on {Wednesday|DATE}.", [(0, 1, IN)]),
    ("neutral", "{Rail Nordic|ORG} will test driverless trains between {Oslo|LOC} and "
     "{Stockholm|LOC} from {spring 2026|DATE}.", []),
]

CHINESE = [
    ("positive", "{星河科技|ORG}创始人{李明|PER}{2024年3月15日|DATE}在{杭州|LOC}宣布，"
     "公司完成新一轮融资。", [(1, 0, WORKS)]),
    ("negative", "受暴雨影响，{深圳|LOC}多条地铁线路{周日|DATE}停运，{鹏城地铁集团|ORG}"
     "表示将尽快恢复运营。", [(2, 0, IN)]),
    ("neutral", "{王芳|PER}出生于{成都|LOC}，现任{蓉城银行|ORG}首席经济学家。",
     [(0, 1, BORN), (0, 2, WORKS)]),
    ("positive", "🇨🇳 {华海航运|ORG}{2024年5月|DATE}在{上海|LOC}开通了一条通往{汉堡|LOC}的新航线。",
     []),
    ("negative", "{蓝鲸汽车|ORG}{周二|DATE}宣布召回两万辆电动车，股价在{香港|LOC}"
     "下跌百分之九。", []),
    ("neutral", "{北京|LOC}市政府{1月8日|DATE}表示，{张伟|PER}将出任{首都交通研究院|ORG}院长。",
     [(2, 3, WORKS), (3, 0, IN)]),
    ("positive", "👨‍💻 程序员{陈静|PER}在{云帆软件|ORG}带领团队开发的翻译工具，"
     "上线一周用户突破一百万。",
     [(0, 1, WORKS)]),
    ("negative", "{广州|LOC}一家工厂{3月2日|DATE}发生火灾，{粤丰电子|ORG}称生产线将停工两周。",
     [(2, 0, IN)]),
    ("neutral", "{刘洋|PER}曾在{华信证券|ORG}任职十年，{2023年|DATE}起在{南京|LOC}创办咨询公司。",
     [(0, 1, WORKS)]),
    ("positive", "🎉 出生于{武汉|LOC}的游泳运动员{赵雪|PER}在{巴黎|LOC}夺得金牌。", [(1, 0, BORN)]),
    ("negative", "{天启游戏|ORG}因违反数据规定被{上海|LOC}监管部门罚款五百万元，公司{周五|DATE}"
     "发表道歉声明。", []),
    ("neutral", "{长江电力集团|ORG}计划于{2025年底|DATE}前在{宜昌|LOC}建成新的储能电站。", []),
    ("positive", "{杨帆|PER}带领{青禾农业|ORG}在{云南|LOC}推广节水灌溉，当地茶农收入明显提高。",
     [(0, 1, WORKS)]),
    ("negative", "{西安|LOC}的{古城航空|ORG}{10月|DATE}取消了四十余个航班，大量旅客滞留机场。",
     [(1, 0, IN)]),
    ("neutral", "{孙丽|PER}是{明德大学|ORG}经济学教授，她认为{明年|DATE}物价将保持稳定。",
     [(0, 1, WORKS)]),
    ("positive", "{海螺机器人|ORG}在{苏州|LOC}的新工厂{6月|DATE}正式投产，预计年产十万台。",
     [(0, 1, IN)]),
    ("negative", "{黄河化工|ORG}董事长{周强|PER}{周三|DATE}宣布辞职，公司股价随即下跌。",
     [(1, 0, WORKS)]),
    ("neutral", "🇫🇷 出生于{里昂|LOC}的厨师{皮埃尔·勒布朗|PER}在{上海|LOC}开设的餐厅{9月|DATE}"
     "迎来五周年。", [(1, 0, BORN)]),
    ("positive", "{重庆|LOC}{2024年|DATE}接待游客超过一亿人次，{山城文旅集团|ORG}"
     "称将继续扩大投资。",
     [(2, 0, IN)]),
    ("negative", "{林峰|PER}{周一|DATE}辞去{东海银行|ORG}行长职务，"
     "该行不良贷款率连续三个季度上升。",
     [(0, 2, WORKS)]),
    ("neutral", "{天津|LOC}港{5月|DATE}货物吞吐量与去年同期持平，{津港集团|ORG}发布了相关数据。",
     [(2, 0, IN)]),
    ("positive", "{星际动力|ORG}{11月3日|DATE}在{酒泉|LOC}成功发射一枚商业火箭，总工程师{马骏|PER}"
     "表示下一次发射定在明年。", [(3, 0, WORKS)]),
    ("negative", "{厦门|LOC}外卖平台{速达|ORG}被曝拖欠骑手工资，创始人{郑涛|PER}尚未回应。",
     [(1, 0, IN), (2, 1, WORKS)]),
    ("neutral", "{何静|PER}生于{长沙|LOC}，{2022年|DATE}加入{湘江传媒|ORG}担任总编辑。",
     [(0, 1, BORN), (0, 3, WORKS)]),
    ("positive", "{绿洲新能源|ORG}与{内蒙古|LOC}签署协议，将在{2026年|DATE}前建设三座风电场。", []),
    ("negative", "受需求下滑影响，{青岛|LOC}家电企业{海川电器|ORG}{第三季度|DATE}利润下降三成。",
     [(1, 0, IN)]),
    ("neutral", "{吴敏|PER}将于{12月1日|DATE}起担任{南方航空研究所|ORG}所长，该所位于{珠海|LOC}。",
     [(0, 2, WORKS), (2, 3, IN)]),
    ("positive", "{哈尔滨|LOC}冰雪节{1月5日|DATE}开幕，{龙江旅游|ORG}总经理{高远|PER}说今年游客人数"
     "创新高。", [(3, 2, WORKS), (2, 0, IN)]),
    ("negative", "{郑州|LOC}{7月|DATE}遭遇强降雨，{中原电网|ORG}称部分地区停电超过十小时。",
     [(2, 0, IN)]),
    ("neutral", "👩‍⚕️ 医生{许婷|PER}从{仁心医院|ORG}调往{拉萨|LOC}支援当地医疗工作，为期一年。",
     [(0, 1, WORKS)]),
]


def _interleave() -> list[DemoDoc]:
    docs = []
    for n, (en, zh) in enumerate(zip(ENGLISH, CHINESE, strict=True), start=1):
        docs.append(build(f"en-{n:02d}", "en", en[1], en[2], en[0]))
        docs.append(build(f"zh-{n:02d}", "zh", zh[1], zh[2], zh[0]))
    return docs


# English and Chinese alternate, so every page of the document list shows both.
DOCUMENTS: list[DemoDoc] = _interleave()
