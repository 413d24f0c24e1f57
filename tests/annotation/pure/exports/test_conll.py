"""The ``conll`` export parsed into sequences and scored by seqeval; misaligned spans are
reported, not shifted."""

from seqeval.metrics import classification_report, f1_score

from annotation.pure.tokens import tokenize
from tests.annotation.pure.exports.samples import MISALIGNED, RECORDS, aligned, export, labellings

DOCSTART = "-DOCSTART- -X- -X- O"


def parse(data: bytes) -> list[dict]:
    """Sections (documents) of sentences of (token, tag); ``# key = value`` comments."""
    sections: list[dict] = []
    for line in data.decode("utf-8").split("\n"):
        if line == DOCSTART:
            sections.append({"comments": {}, "sentences": [[]]})
        elif line.startswith("# ") and len(line.split(" ")) >= 4:
            key, _, value = line[2:].partition(" = ")
            sections[-1]["comments"][key] = value
        elif not line:
            if sections and sections[-1]["sentences"][-1]:
                sections[-1]["sentences"].append([])
        else:
            token, tag = line.split(" ")
            sections[-1]["sentences"][-1].append((token, tag))
    for section in sections:
        section["sentences"] = [s for s in section["sentences"] if s]
    return sections


def entities(text: str, tags: list[str]) -> list[tuple[int, int, str]]:
    tokens = tokenize(text)
    found, start = [], None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and not tag.startswith("I-"):
            found.append((tokens[start][0], tokens[i - 1][1], tags[start][2:]))
            start = None
        if tag.startswith("B-"):
            start = i
    return found


def test_sections_tokens_and_entities_round_trip() -> None:
    for scope in ("gold", "all"):
        data, run = export("conll", scope)
        sections = parse(data)
        expected = [(r, who, lab) for r in RECORDS for who, lab in labellings(r, scope)]
        assert len(sections) == len(expected) == run.annotations
        for section, (record, annotator, labelling) in zip(sections, expected, strict=True):
            text = record["text"]
            pairs = [pair for sentence in section["sentences"] for pair in sentence]
            assert [token for token, _ in pairs] == [text[s:e] for s, e in tokenize(text)]
            assert entities(text, [tag for _, tag in pairs]) == [
                (e["start"], e["end"], e["label"]) for e in aligned(record, labelling)]
            if scope == "gold":
                assert section["comments"] == {}
            else:
                assert section["comments"]["id"] == record["id"]
                assert section["comments"]["source"] == ("gold" if annotator is None
                                                         else "annotation")
                assert section["comments"].get("annotator") == annotator


def test_sentences_are_lines_but_an_entity_is_never_split() -> None:
    sentences = parse(export("conll", records=[RECORDS[1]])[0])[0]["sentences"]
    # TEXT2 has three lines; "New\nYork" is one entity, so its line break is not a boundary
    assert len(sentences) == 2
    assert ("New", "B-LOC") in sentences[1]
    assert ("York", "I-LOC") in sentences[1]
    assert sentences[0][0] == ("👩\u200d👩\u200d👧", "B-MISC")
    assert ("🇯🇵", "B-LOC") in sentences[0]
    tokyo = [pair for pair in sentences[0] if pair[0] in "東京"]
    assert tokyo == [("東", "B-LOC"), ("京", "I-LOC")]


def test_seqeval_scores_the_export() -> None:
    gold = [[tag for _, tag in s] for section in parse(export("conll")[0])
            for s in section["sentences"]]
    assert f1_score(gold, gold) == 1.0
    assert "LOC" in classification_report(gold, gold)
    # relabel one of the 10 exported gold entities: 9 of 10 right, both ways
    perturbed = [list(s) for s in gold]
    for sentence in perturbed:
        if "B-ORG" in sentence:
            i = sentence.index("B-ORG")
            sentence[i] = "B-MISC"
            for j in range(i + 1, len(sentence)):
                if sentence[j] != "I-ORG":
                    break
                sentence[j] = "I-MISC"
            break
    assert sum(t.startswith("B-") for s in gold for t in s) == 10
    assert f1_score(gold, perturbed) == 0.9


def test_misaligned_spans_are_reported_not_shifted() -> None:
    data, run = export("conll")
    reported = {(w["document"], w["entity"]) for w in run.warnings}
    assert reported == MISALIGNED
    bo = next(w for w in run.warnings if w["entity"] == "T1")
    assert (bo["start"], bo["end"], bo["text"]) == (0, 2, "Bo")
    assert "inside the token 'Bob'" in bo["reason"]
    assert "not tagged" in bo["reason"]
    doc3 = parse(data)[2]["sentences"][0]
    assert doc3 == [("Bob", "O"), ("'", "O"), ("s", "O"), ("car", "B-MISC"), ("is", "O"),
                    ("in", "O"), ("Zürich", "O")]
