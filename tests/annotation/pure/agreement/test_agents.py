"""Agents measured like annotators: against gold and each human, apart from the human part."""

import pytest

from annotation.pure.agreement import LabelMeta, agreement_report
from annotation.pure.agreement.agents import AgentLabellings, agents_report
from annotation.pure.agreement.inputs import parse

NER = LabelMeta(entities=["PER", "ORG"], relations=["works_for"], tasks={"ner", "relations"})
SENT = LabelMeta(sentiment=["negative", "neutral", "positive"], tasks={"sentiment"})


def _docs(labellings: dict[str, list]) -> list[dict]:
    """One document per position; labellings: annotator -> list of contents per document."""
    n = len(next(iter(labellings.values())))
    return [{"id": d, "annotations": {who: contents[d] for who, contents in labellings.items()}}
            for d in range(n)]


def _run(docs, labels, gold, agents, **kw):
    corpus = parse(docs, labels)
    return agents_report(corpus, labels, gold, agents, replicates=kw.pop("replicates", 200),
                         **kw)


ENT = [
    {"entities": [(0, 5, "PER"), (10, 14, "ORG")], "relations": [
        {"head": "T1", "tail": "T2", "label": "works_for"}]},
    {"entities": [(0, 3, "ORG")], "relations": []},
    {"entities": [(2, 6, "PER"), (8, 9, "PER")], "relations": []},
    {"entities": [], "relations": []},
]


def test_an_agent_identical_to_gold_scores_one():
    docs = _docs({"alice": ENT, "bob": ENT})
    gold = dict(enumerate(ENT))
    out = _run(docs, NER, gold, {"crf": AgentLabellings(dict(enumerate(ENT)), version=3,
                                                        kind="crf")})
    crf = out["crf"]
    assert crf["version"] == 3
    assert crf["kind"] == "crf"
    assert crf["documents"] == 4
    assert crf["tasks"] == ["ner", "relations"]
    vs = crf["vs_gold"]
    assert vs["a"] == "gold"
    assert vs["b"] == "crf"
    assert vs["documents"] == 4
    assert vs["entities"]["f1_exact"]["value"] == 1.0
    assert vs["entities"]["f1_overlap"]["value"] == 1.0
    assert vs["entities"]["per_label"]["PER"]["f1_exact"] == 1.0
    assert vs["relations"]["f1"]["value"] == 1.0
    assert vs["sentiment"] is None
    ci = vs["entities"]["f1_exact"]["ci"]
    assert ci["low"] == ci["high"] == 1.0
    assert ci["n"] == 4
    assert [p["annotator"] for p in crf["vs_annotators"]] == ["alice", "bob"]
    assert all(p["entities"]["f1_exact"]["value"] == 1.0 for p in crf["vs_annotators"])


def test_a_hand_computed_case():
    gold = {0: {"entities": [(0, 5, "PER"), (10, 14, "ORG"), (20, 25, "PER")]},
            1: {"entities": [(0, 3, "ORG")]}}
    agent = {0: {"entities": [(0, 5, "PER"), (10, 14, "PER"), (21, 25, "PER")]},
             1: {"entities": [(0, 3, "ORG"), (5, 7, "ORG")]}}
    docs = [{"id": d, "annotations": {"alice": gold[d]}} for d in (0, 1)]
    vs = _run(docs, NER, gold, {"m": AgentLabellings(agent)})["m"]["vs_gold"]["entities"]
    exact = vs["f1_exact"]
    # matched 2 of gold's 4 and of the agent's 5: F1 = 4 / 9, precision 2/5, recall 2/4
    assert exact["matched"] == 2
    assert exact["count_a"] == 4
    assert exact["count_b"] == 5
    assert exact["value"] == pytest.approx(4 / 9)
    assert exact["precision"] == pytest.approx(0.4)
    assert exact["recall"] == pytest.approx(0.5)
    # overlap also pairs (20,25) with (21,25)
    assert vs["f1_overlap"]["value"] == pytest.approx(6 / 9)
    per = vs["per_label"]
    assert per["PER"]["f1_exact"] == pytest.approx(2 * 1 / (2 + 3))
    assert per["ORG"]["f1_exact"] == pytest.approx(2 * 1 / (2 + 2))
    assert per["PER"]["count_a"] == 2
    assert per["PER"]["count_b"] == 3


def test_it_matches_the_human_pair_when_the_agent_labels_like_an_annotator():
    bob = [{"entities": [(0, 5, "PER")], "relations": []},
           {"entities": [(0, 3, "PER"), (4, 6, "ORG")], "relations": []},
           {"entities": [(2, 6, "PER")], "relations": []},
           None]
    docs = _docs({"alice": ENT, "bob": bob})
    human = agreement_report(docs, NER, replicates=0)
    pair = human["entities"]["f1_exact"]["pairs"][0]
    assert (pair["a"], pair["b"]) == ("alice", "bob")
    agent = {d: c for d, c in enumerate(bob) if c is not None}
    out = _run(docs, NER, {}, {"bob-model": AgentLabellings(agent)})["bob-model"]
    entry = out["vs_annotators"][0]
    assert entry["annotator"] == "alice"
    for key in ("f1_exact", "f1_overlap"):
        mine = {k: v for k, v in entry["entities"][key].items() if k not in ("b", "ci")}
        theirs = {k: v for k, v in human["entities"][key]["pairs"][0].items() if k != "b"}
        assert mine == theirs
    assert out["vs_gold"]["documents"] == 0
    assert out["vs_gold"]["entities"]["f1_exact"]["value"] is None
    assert out["notes"]


def test_sentiment_nominal_against_gold_and_the_human_pair():
    alice = ["positive", "negative", "neutral", "positive", "negative", "positive"]
    bob = ["positive", "negative", "positive", "positive", "neutral", "positive"]
    docs = _docs({"alice": [{"sentiment": s} for s in alice],
                  "bob": [{"sentiment": s} for s in bob]})
    human = agreement_report(docs, SENT, replicates=0)
    gold = {d: {"sentiment": s} for d, s in enumerate(alice)}
    agents = {"same": AgentLabellings(dict(gold)),
              "bob-like": AgentLabellings({d: {"sentiment": s} for d, s in enumerate(bob)})}
    out = _run(docs, SENT, gold, agents)
    assert set(out) == {"same", "bob-like"}
    same = out["same"]["vs_gold"]["sentiment"]
    assert same["cohen_kappa"]["value"] == pytest.approx(1.0)
    assert same["percent_agreement"] == 1.0
    assert same["per_label"]["positive"]["kappa"] == pytest.approx(1.0)
    assert same["cohen_kappa"]["ci"]["low"] == pytest.approx(1.0)
    assert out["same"]["vs_gold"]["entities"] is None
    entry = out["bob-like"]["vs_annotators"][0]["sentiment"]["cohen_kappa"]
    theirs = human["sentiment"]["cohen_kappa"]["pairs"][0]
    assert entry["value"] == pytest.approx(theirs["value"])
    assert entry["items"] == theirs["items"]
    # hand-computed: 4 of 6 agree; marginals alice (neg 2, neu 1, pos 3), bob (1, 1, 4)
    pe = (2 * 1 + 1 * 1 + 3 * 4) / 36
    assert out["bob-like"]["vs_gold"]["sentiment"]["cohen_kappa"]["value"] == pytest.approx(
        (4 / 6 - pe) / (1 - pe))
    assert human["sentiment"]["cohen_kappa"]["pairs"][0]["value"] == pytest.approx(
        (4 / 6 - pe) / (1 - pe))


def test_sentiment_ordinal_gives_ordinal_alpha():
    labels = LabelMeta(sentiment=["negative", "neutral", "positive"], scale="ordinal",
                       sentiment_values={"negative": -1, "neutral": 0, "positive": 1},
                       tasks={"sentiment"})
    gold = ["negative", "neutral", "positive", "positive", "negative"]
    agent = ["neutral", "neutral", "positive", "neutral", "negative"]
    docs = _docs({"alice": [{"sentiment": s} for s in gold]})
    out = _run(docs, labels, {d: {"sentiment": s} for d, s in enumerate(gold)},
               {"m": AgentLabellings({d: {"sentiment": s} for d, s in enumerate(agent)})})
    alpha = out["m"]["vs_gold"]["sentiment"]["krippendorff_alpha"]
    assert alpha["ordinal"] is not None
    assert alpha["interval"] is not None
    assert alpha["nominal"] < alpha["ordinal"]  # near misses count less
    assert "ordinal" in alpha["ci"]


def test_multi_label_sentiment():
    labels = LabelMeta(sentiment=["joy", "anger", "fear"], multi_label=True,
                       tasks={"sentiment"})
    gold = [["joy"], ["anger", "fear"], ["joy", "fear"], ["fear"]]
    docs = _docs({"alice": [{"sentiment": s} for s in gold]})
    agent = [["joy"], ["anger"], ["joy", "fear"], ["fear"]]
    out = _run(docs, labels, {d: {"sentiment": s} for d, s in enumerate(gold)},
               {"same": AgentLabellings({d: {"sentiment": s} for d, s in enumerate(gold)}),
                "m": AgentLabellings({d: {"sentiment": s} for d, s in enumerate(agent)})})
    same = out["same"]["vs_gold"]["sentiment"]
    assert same["cohen_kappa"]["value"] == pytest.approx(1.0)
    assert same["krippendorff_alpha"]["masi"] == pytest.approx(1.0)
    m = out["m"]["vs_gold"]["sentiment"]
    assert m["percent_agreement"] == pytest.approx(0.75)
    assert m["per_label"]["anger"]["count_a"] == 1
    assert m["per_label"]["anger"]["count_b"] == 1
    assert m["per_label"]["fear"]["count_a"] == 3
    assert m["per_label"]["fear"]["count_b"] == 2
    assert m["per_label"]["joy"]["kappa"] == pytest.approx(1.0)


def test_relations_by_head_and_tail_offsets():
    gold = {0: {"entities": [(0, 5, "PER"), (10, 14, "ORG")],
                "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}]}}
    agent = {0: {"entities": [(0, 5, "PER"), (10, 14, "ORG")],
                 "relations": [{"head": (0, 5, "PER"), "tail": (10, 14, "ORG"),
                                "label": "works_for"},
                               {"head": (10, 14, "ORG"), "tail": (0, 5, "PER"),
                                "label": "works_for"}]}}
    docs = [{"id": 0, "annotations": {"alice": gold[0]}}]
    rel = _run(docs, NER, gold, {"m": AgentLabellings(agent)})["m"]["vs_gold"]["relations"]
    assert rel["f1"]["matched"] == 1
    assert rel["f1"]["count_b"] == 2
    assert rel["f1"]["value"] == pytest.approx(2 / 3)
    assert rel["f1"]["precision"] == pytest.approx(0.5)
    assert rel["f1"]["recall"] == 1.0
    assert rel["per_label"]["works_for"]["f1"] == pytest.approx(2 / 3)


def test_only_the_agents_tasks_and_the_projects():
    docs = _docs({"alice": ENT})
    out = _run(docs, NER, dict(enumerate(ENT)),
               {"ner-only": AgentLabellings(dict(enumerate(ENT)), tasks={"ner", "sentiment"}),
                "sentiment-only": AgentLabellings(dict(enumerate(ENT)), tasks={"sentiment"})})
    assert list(out) == ["ner-only"]
    assert out["ner-only"]["tasks"] == ["ner"]
    assert out["ner-only"]["vs_gold"]["relations"] is None


def test_no_suggestions_no_agents():
    docs = _docs({"alice": ENT, "bob": ENT})
    assert _run(docs, NER, dict(enumerate(ENT)), {}) == {}
    assert _run(docs, NER, dict(enumerate(ENT)), {"m": AgentLabellings({})}) == {}
    assert _run(docs, NER, {}, {"m": AgentLabellings({99: ENT[0]})}) == {}  # outside corpus


def test_the_human_report_is_untouched():
    docs = _docs({"alice": ENT, "bob": ENT[::-1]})
    before = agreement_report(docs, NER, replicates=50)
    corpus = parse(docs, NER)
    agents_report(corpus, NER, dict(enumerate(ENT)),
                  {"m": AgentLabellings({0: {"entities": [(0, 1, "NEW")]}})}, replicates=50)
    after = agreement_report(docs, NER, replicates=50)
    before.pop("computed_at"), after.pop("computed_at")
    assert before == after
