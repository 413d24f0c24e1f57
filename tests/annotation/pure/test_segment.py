"""Chinese word segmentation (jieba) over the shared tokens: the tokenizer, the corpus
tokenizer of token agreement, and the kappa it gives against scikit-learn's."""

import random

import jieba
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, confusion_matrix

from annotation.pure.agreement import categorical as cat
from annotation.pure.agreement.bio import bio_matrix, corpus_tokens, tag_names
from annotation.pure.agreement.inputs import LabelMeta, parse
from annotation.pure.agreement.tokenizer import block_tokens
from annotation.pure.agreement.tokenlevel import token_agreement
from annotation.pure.segment import check, han_words, join
from annotation.pure.tokens import token_offsets, tokenize

TEXT = "我来到北京清华大学。马云在阿里巴巴工作，他住在杭州。"


def cut(text: str, segmentation: str) -> list[str]:
    return [text[s:e] for s, e in tokenize(text, segmentation)]


def test_jieba_joins_the_characters_of_each_word():
    assert cut(TEXT, "jieba") == ["我", "来到", "北京", "清华大学", "。", "马云", "在", "阿里巴巴",
                                  "工作", "，", "他", "住", "在", "杭州", "。"]
    assert cut(TEXT, "characters") == list(TEXT)


def test_words_are_jiebas_own_han_words():
    text = "他说T恤很好看，iPhone手机2024年发布。"
    expected = [(s, e) for w, s, e in jieba.tokenize(text)
                if e - s > 1 and all("\u4e00" <= c <= "\u9fff" for c in w)]
    assert han_words(text).tolist() == [list(w) for w in expected]
    # "T恤" mixes Latin and Han: it joins nothing; the Latin word stays as it was
    assert "T恤" not in cut(text, "jieba")
    assert {"T", "恤", "iPhone", "手机", "2024", "发布"} <= set(cut(text, "jieba"))


@pytest.mark.parametrize("text", [
    "Alice met Bob in Paris.", "مرحبا بالعالم، هذه جملة عربية.", "ひらがなとカタカナ",
    "👩‍👩‍👧‍👦 🇯🇵 👍🏽", "안녕하세요 세계", "", "   ", "中",
])
def test_text_without_two_han_characters_in_a_row_is_tokenized_as_before(text):
    assert tokenize(text, "jieba") == tokenize(text)


def test_every_jieba_boundary_is_a_character_boundary_and_nothing_is_lost():
    rng = random.Random(5)
    pieces = ["北京", "清华大学", "的", "学生", "😀", "🇨🇳", " ", "Alice", "\u0301", "，", "ひら",
              "中华人民共和国", "e\u0301", "\u200d", "。", "\n", "漢字", "ش"]
    for _ in range(300):
        text = "".join(rng.choices(pieces, k=rng.randint(0, 20)))
        chars, words = tokenize(text), tokenize(text, "jieba")
        bounds = {b for t in chars for b in t}
        assert {b for t in words for b in t} <= bounds, text
        # the same code points are covered, in order, without overlap
        assert [i for s, e in words for i in range(s, e)] == [
            i for s, e in chars for i in range(s, e)], text


def test_a_combining_mark_after_a_word_stays_in_its_token():
    text = "北京\u0301大学"
    assert cut(text, "characters") == ["北", "京\u0301", "大", "学"]
    assert cut(text, "jieba") == ["北京\u0301", "大学"]


def test_join_skips_words_off_token_boundaries():
    starts, ends = np.array([0, 2, 3, 4]), np.array([1, 3, 4, 5])
    words = np.array([[1, 3], [2, 5]])  # the first starts inside a gap: left alone
    s, e = join(starts, ends, words)
    assert s.tolist() == [0, 2]
    assert e.tolist() == [1, 5]


def test_unknown_segmentation_is_named():
    with pytest.raises(ValueError, match="unknown segmentation 'words'"):
        check("words")
    with pytest.raises(ValueError, match="unknown segmentation"):
        tokenize(TEXT, "words")


def test_block_tokens_equal_per_document_jieba_tokens():
    rng = random.Random(8)
    pieces = ["北京", "清华大学", "马云", "在", "😀", " ", "Alice", "\u0301", "，", "\ufe0f",
              "中华"]
    for _ in range(100):
        texts = ["".join(rng.choices(pieces, k=rng.randint(0, 12))) for _ in range(4)]
        lengths = np.array([len(t) for t in texts], dtype=np.int64)
        start = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
        text = "\n".join(texts)
        s, e = block_tokens(text, start, start + lengths, "jieba")
        assert np.stack([s, e], axis=1).reshape(-1, 2).tolist() == (
            token_offsets(text, "jieba").reshape(-1, 2).tolist()), texts


def test_token_kappa_over_words_against_scikit_learn():
    # a marks 北京 and 清华大学 and 马云; b marks 京 alone (a part of a word) and 阿里巴巴
    docs = [{"text": TEXT, "annotations": {
        "a": {"entities": [{"start": 3, "end": 5, "label": "LOC"},
                           {"start": 5, "end": 9, "label": "ORG"},
                           {"start": 10, "end": 12, "label": "PER"}]},
        "b": {"entities": [{"start": 4, "end": 5, "label": "LOC"},
                           {"start": 13, "end": 17, "label": "ORG"}]}}}]
    corpus = parse(docs, LabelMeta(entities=["PER", "ORG", "LOC"]))
    words = corpus_tokens(corpus.texts, segmentation="jieba")
    assert len(words.start) == 15
    names = tag_names(corpus.entity_labels)
    tags = bio_matrix(corpus.spans, words, corpus.submitted)
    a, b = [names[t] for t in tags[0]], [names[t] for t in tags[1]]
    # 京 touches the word 北京, so b tags the whole word: BIO is over words
    assert a[:6] == ["O", "O", "B-LOC", "B-ORG", "O", "B-PER"]
    assert b[:8] == ["O", "O", "B-LOC", "O", "O", "O", "O", "B-ORG"]
    counted = token_agreement(corpus.spans, corpus.texts, corpus.submitted, 3,
                              segmentation="jieba")
    assert counted.tokens == 15
    (conf,) = counted.confusion.values()
    k = len(names)
    assert conf.tolist() == confusion_matrix(tags[0], tags[1], labels=list(range(k))).tolist()
    assert cat.kappa_from_confusion(conf) == pytest.approx(cohen_kappa_score(a, b))
    by_character = token_agreement(corpus.spans, corpus.texts, corpus.submitted, 3)
    assert by_character.tokens == len(TEXT)
