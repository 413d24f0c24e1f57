"""Span and relation F1, and the shared tokenizer, against seqeval and hand counts."""

import numpy as np
import pytest
from seqeval.metrics import f1_score, precision_score, recall_score

from annotation.pure.agreement.bio import bio_matrix, corpus_tokens, tag_names
from annotation.pure.agreement.inputs import LabelMeta, parse
from annotation.pure.agreement.matching import overlap_matches
from annotation.pure.agreement.relations import relation_pair_counts
from annotation.pure.agreement.spans import f1, span_pair_counts
from annotation.pure.tokens import tokenize

TEXT = "👩‍💻🎉 马云在杭州创办了阿里巴巴，Jack Ma说：很好！"
LABELS = LabelMeta(entities=["PER", "LOC", "ORG"], relations=["founded", "born_in"])


def at(word: str, start: int = 0) -> tuple[int, int]:
    i = TEXT.index(word, start)
    return i, i + len(word)


def ent(key: str, word: str, label: str) -> dict:
    start, end = at(word)
    return {"id": key, "start": start, "end": end, "label": label}


ALICE = {"entities": [ent("a1", "马云", "PER"), ent("a2", "杭州", "LOC"),
                      ent("a3", "阿里巴巴", "ORG"), ent("a4", "Jack Ma", "PER")],
         "relations": [{"head": "a1", "tail": "a3", "label": "founded"},
                       {"head": "a4", "tail": "a3", "label": "founded"}]}
BOB = {"entities": [ent("b1", "马云", "PER"), ent("b2", "杭州", "ORG"),
                    ent("b3", "阿里巴巴", "ORG"), ent("b4", "Jack", "PER")],
       "relations": [{"head": "b1", "tail": "b3", "label": "founded"},
                     {"head": "b4", "tail": "b3", "label": "founded"}]}


def corpus():
    return parse([{"id": 1, "text": TEXT, "annotations": {"alice": ALICE, "bob": BOB}}], LABELS)


def test_offsets_are_code_points_after_zwj_emoji():
    assert TEXT[slice(*at("马云"))] == "马云"
    assert at("马云")[0] == 5  # 👩 ZWJ 💻 🎉 space: five code points


def test_tokenizer_cjk_per_character_latin_by_word():
    words = [TEXT[s:e] for s, e in tokenize(TEXT)]
    assert words[:5] == ["👩\u200d💻", "🎉", "马", "云", "在"]
    assert {"阿", "，", "Jack", "Ma"} <= set(words)
    for text, expected in (("안녕 ひらがな", ["안", "녕", "ひ", "ら", "が", "な"]),
                           ("Don't stop.", ["Don", "'", "t", "stop", "."]),
                           ("café 🇫🇷!", ["café", "🇫🇷", "!"])):
        assert [text[s:e] for s, e in tokenize(text)] == expected


def test_exact_f1_by_hand_and_against_seqeval():
    c = corpus()
    shared = np.array([True])
    exact = span_pair_counts(c.spans, 0, 1, shared, 3, "exact", labelled=True)
    # matches: 马云 PER, 阿里巴巴 ORG; 杭州 differs in label, Jack Ma vs Jack in extent
    assert (exact.tp.sum(), exact.na.sum(), exact.nb.sum()) == (2, 4, 4)
    assert float(f1(exact.tp.sum(), exact.na.sum(), exact.nb.sum())) == pytest.approx(0.5)
    tokens = corpus_tokens(c.texts)
    tags = bio_matrix(c.spans, tokens, c.submitted)
    names = tag_names(c.entity_labels)
    seq_a, seq_b = [[names[t] for t in tags[0]]], [[names[t] for t in tags[1]]]
    assert f1_score(seq_a, seq_b) == pytest.approx(0.5)
    assert precision_score(seq_a, seq_b) == pytest.approx(2 / 4)
    assert recall_score(seq_a, seq_b) == pytest.approx(2 / 4)
    # per label: PER 1 of (2 + 2), LOC 0 of (1 + 0), ORG 1 of (1 + 2)
    assert f1(exact.tp_label, exact.na_label, exact.nb_label).tolist() == pytest.approx(
        [2 / 4, 0.0, 2 / 3])


def test_unlabelled_and_overlap_match():
    c = corpus()
    shared = np.array([True])
    unlabelled = span_pair_counts(c.spans, 0, 1, shared, 3, "exact", labelled=False)
    assert unlabelled.tp.sum() == 3  # 杭州 now matches
    overlap = span_pair_counts(c.spans, 0, 1, shared, 3, "overlap", labelled=True)
    assert overlap.tp.sum() == 3  # Jack Ma ~ Jack
    both = span_pair_counts(c.spans, 0, 1, shared, 3, "overlap", labelled=False)
    assert both.tp.sum() == 4


def test_span_f1_is_symmetric():
    c = corpus()
    shared = np.array([True])
    for match in ("exact", "overlap"):
        ab = span_pair_counts(c.spans, 0, 1, shared, 3, match)
        ba = span_pair_counts(c.spans, 1, 0, shared, 3, match)
        assert f1(ab.tp.sum(), ab.na.sum(), ab.nb.sum()) == f1(ba.tp.sum(), ba.na.sum(),
                                                               ba.nb.sum())


def test_overlap_matching_is_one_to_one_and_greedy_by_overlap():
    # a: [0,10) ; b: [0,4) and [2,10): the larger overlap [2,10) wins, [0,4) stays unmatched
    z = np.zeros
    ma, mb = overlap_matches(z(1, int), np.array([0]), np.array([10]),
                             z(2, int), np.array([0, 2]), np.array([4, 10]))
    assert (ma.tolist(), mb.tolist()) == ([0], [1])
    # a chain where sequential greedy matters: a0 [0,5) a1 [4,9); b0 [1,5) b1 [3,9)
    ma, mb = overlap_matches(z(2, int), np.array([0, 4]), np.array([5, 9]),
                             z(2, int), np.array([1, 3]), np.array([5, 9]))
    assert sorted(zip(ma.tolist(), mb.tolist(), strict=True)) == [(0, 0), (1, 1)]


def test_only_documents_both_submitted_count():
    docs = [{"id": 1, "annotations": {"alice": ALICE, "bob": BOB}},
            {"id": 2, "annotations": {"alice": ALICE, "bob": None}},  # bob did not submit
            {"id": 3, "annotations": {"alice": {"entities": []}, "bob": {"entities": []}}}]
    c = parse(docs, LABELS)
    shared = c.submitted[0] & c.submitted[1]
    assert shared.tolist() == [True, False, True]
    counts = span_pair_counts(c.spans, 0, 1, shared, 3)
    assert (counts.tp.sum(), counts.na.sum(), counts.nb.sum(), counts.documents) == (2, 4, 4, 2)


def test_relation_f1_and_per_label():
    c = corpus()
    counts = relation_pair_counts(c.relations, 0, 1, np.array([True]), 2)
    # 马云 -founded-> 阿里巴巴 matches; the Jack Ma / Jack heads differ
    assert (counts.tp.sum(), counts.na.sum(), counts.nb.sum()) == (1, 2, 2)
    assert f1(counts.tp_label, counts.na_label, counts.nb_label)[0] == pytest.approx(0.5)
    assert np.isnan(f1(counts.tp_label, counts.na_label, counts.nb_label)[1])


def test_relation_heads_match_on_label_too():
    bob = {**BOB, "entities": [ent("b1", "马云", "LOC"), *BOB["entities"][1:]]}
    c = parse([{"id": 1, "annotations": {"alice": ALICE, "bob": bob}}], LABELS)
    counts = relation_pair_counts(c.relations, 0, 1, np.array([True]), 2)
    assert counts.tp.sum() == 0


def test_bio_tags_for_nested_spans_keep_the_outer_one():
    text = "New York City hall"
    spans = [{"start": 0, "end": 13, "label": "LOC"}, {"start": 4, "end": 8, "label": "LOC"}]
    c = parse([{"text": text, "annotations": {"a": {"entities": spans}}}],
              LabelMeta(entities=["LOC"]))
    tags = bio_matrix(c.spans, corpus_tokens(c.texts), c.submitted)
    assert [tag_names(["LOC"])[t] for t in tags[0]] == ["B-LOC", "I-LOC", "I-LOC", "O"]


def test_overlap_matching_in_blocks_equals_one_pass():
    rng = np.random.default_rng(2)
    n = 3000
    doc_a, doc_b = rng.integers(0, 300, n), rng.integers(0, 300, n)
    start_a, start_b = rng.integers(0, 100, n), rng.integers(0, 100, n)
    end_a, end_b = start_a + rng.integers(1, 20, n), start_b + rng.integers(1, 20, n)
    label_a, label_b = rng.integers(0, 2, n), rng.integers(0, 2, n)
    args = (doc_a, start_a, end_a, doc_b, start_b, end_b, label_a, label_b)
    whole = overlap_matches(*args)
    blocks = overlap_matches(*args, max_candidates=500)
    assert sorted(zip(*whole, strict=True)) == sorted(zip(*blocks, strict=True))
    # one-to-one
    assert len(set(whole[0].tolist())) == len(whole[0]) == len(set(whole[1].tolist()))


def sequential_greedy(doc_a, start_a, end_a, doc_b, start_b, end_b):
    candidates = []
    for i in range(len(doc_a)):
        for j in range(len(doc_b)):
            overlap = min(end_a[i], end_b[j]) - max(start_a[i], start_b[j])
            if doc_a[i] == doc_b[j] and overlap > 0:
                distance = abs(start_a[i] - start_b[j]) + abs(end_a[i] - end_b[j])
                candidates.append((-overlap, distance, i, j))
    taken_a, taken_b, out = set(), set(), []
    for *_, i, j in sorted(candidates):
        if i not in taken_a and j not in taken_b:
            taken_a.add(i)
            taken_b.add(j)
            out.append((i, j))
    return sorted(out)


def test_rounds_of_locally_dominant_candidates_equal_sequential_greedy():
    rng = np.random.default_rng(4)
    n = 200
    doc_a, doc_b = rng.integers(0, 10, n), rng.integers(0, 10, n)
    start_a, start_b = rng.integers(0, 60, n), rng.integers(0, 60, n)
    end_a, end_b = start_a + rng.integers(1, 15, n), start_b + rng.integers(1, 15, n)
    args = (doc_a, start_a, end_a, doc_b, start_b, end_b)
    ma, mb = overlap_matches(*args)
    assert sorted(zip(ma.tolist(), mb.tolist(), strict=True)) == sequential_greedy(*args)


def test_corpus_tokens_in_blocks_match_per_document_tokens():
    texts = ["Alice met Bob.", "", "马云在杭州", "👩‍💻 ok!"] * 5
    small = corpus_tokens(texts, block_chars=8)
    whole = corpus_tokens(texts)
    assert small.start.tolist() == whole.start.tolist()
    assert small.doc.tolist() == whole.doc.tolist()
    for d, text in enumerate(texts):
        mine = small.doc == d
        local = np.stack([small.start[mine], small.end[mine]], axis=1) - small.doc_offset[d]
        assert local.tolist() == [list(t) for t in tokenize(text)]


def test_overlap_matching_when_no_candidate_in_a_shared_document_overlaps():
    z = np.zeros(1, dtype=np.int64)
    ma, mb = overlap_matches(z, np.array([0]), np.array([5]), z, np.array([13]),
                             np.array([17]))
    assert (ma.tolist(), mb.tolist()) == ([], [])
    labels = LabelMeta(entities=["PER", "ORG"])
    corpus = parse([{"id": 1, "annotations": {"a": {"entities": [(0, 5, "PER")]},
                                              "b": {"entities": [(13, 17, "ORG")]}}}], labels)
    counts = span_pair_counts(corpus.spans, 0, 1, np.array([True]), 2, "overlap", True)
    assert float(f1(counts.tp.sum(), counts.na.sum(), counts.nb.sum())) == 0.0
