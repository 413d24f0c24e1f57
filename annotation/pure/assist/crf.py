"""The CRF agent: a linear-chain CRF (sklearn-crfsuite, L-BFGS) over the project's tokens
(one per CJK character, words otherwise) with BIO tags and lean per-token features.

A proposal's score is the lowest marginal probability of its tokens' predicted tags (the
span is only as sure as its least sure token); a document's confidence is the lowest, over
its tokens, of the highest tag marginal. Gold spans that do not fall on token boundaries are
widened to the tokens they touch ("snapped"); one that overlaps an earlier span is skipped.
Both are counted in the metrics. Cross-validation fits each fold on at most `cv_sample`
seeded training documents (reported as "cv_sample" when it applies)."""

import random
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from annotation.pure.assist.base import ENTITY, GoldDoc, Predicted, Proposal, Trained, refused
from annotation.pure.assist.crossval import (
    Span,
    entity_refusal,
    fold_count,
    held_out_spans,
    span_metrics,
)
from annotation.pure.tokens import _CJK, tokenize

CV_SAMPLE = 2000
PARAMS = {"algorithm": "lbfgs", "c1": 0.05, "c2": 0.01, "max_iterations": 50}
Tokens = list[tuple[int, int]]


_CJK_CHAR = re.compile(f"[{_CJK}]")


def _shape(token: str) -> str:
    out: list[str] = []
    for char in token[:8]:
        kind = "X" if char.isupper() else "x" if char.islower() else "d" if char.isdigit() \
            else char if not char.isalnum() else "o"
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)


@lru_cache(maxsize=1 << 16)
def _own(token: str) -> tuple[tuple[str, ...], str]:
    """The token's own features, and the word its neighbours see."""
    lower = token.lower()
    if _CJK_CHAR.match(token):
        return ("cjk", "w=" + lower), lower
    feats = ["w=" + lower, "sh=" + _shape(token)]
    feats += [f"p{n}={lower[:n]}" for n in (1, 2, 3) if len(lower) >= n]
    feats += [f"s{n}={lower[-n:]}" for n in (1, 2, 3) if len(lower) >= n]
    if token.isdigit():
        feats.append("digit")
    if token.isupper():
        feats.append("upper")
    elif token.istitle():
        feats.append("title")
    return tuple(feats), lower


def features(text: str, tokens: Tokens) -> list[list[str]]:
    own = [_own(text[s:e]) for s, e in tokens]
    words = ["<s>", "<s>"] + [w for _, w in own] + ["</s>", "</s>"]
    rows = []
    for i, (feats, _) in enumerate(own):
        j = i + 2
        rows.append([*feats, "-1=" + words[j - 1], "+1=" + words[j + 1],
                     "-2=" + words[j - 2], "+2=" + words[j + 2],
                     "-1|0=" + words[j - 1] + "|" + words[j]])
    return rows


def bio(doc: GoldDoc, tokens: Tokens, stats: dict[str, int]) -> list[str]:
    """BIO tags for `tokens`, snapping misaligned gold spans to the tokens they touch."""
    tags = ["O"] * len(tokens)
    starts = {s: i for i, (s, _) in enumerate(tokens)}
    ends = {e: i for i, (_, e) in enumerate(tokens)}
    for start, end, name in sorted(doc.entities):
        covered = [i for i, (s, e) in enumerate(tokens) if s < end and e > start]
        if not covered or any(tags[i] != "O" for i in covered):
            stats["skipped"] += 1
            continue
        if start not in starts or end not in ends:
            stats["snapped"] += 1
        tags[covered[0]] = "B-" + name
        for i in covered[1:]:
            tags[i] = "I-" + name
    return tags


def spans_of(tags: Sequence[str], tokens: Tokens) -> list[tuple[int, int, str, int, int]]:
    """(start, end, label, first token, last token + 1) of the BIO tags; a stray I- opens
    a span, like a B-."""
    found = []
    i = 0
    while i < len(tags):
        tag = tags[i]
        if tag == "O":
            i += 1
            continue
        name, j = tag[2:], i + 1
        while j < len(tags) and tags[j] == "I-" + name:
            j += 1
        found.append((tokens[i][0], tokens[j - 1][1], name, i, j))
        i = j
    return found


def fit(docs: Sequence[GoldDoc], stats: dict[str, int] | None = None) -> Any:
    import sklearn_crfsuite

    stats = {"snapped": 0, "skipped": 0} if stats is None else stats
    xs, ys = [], []
    for doc in docs:
        tokens = tokenize(doc.text)
        if tokens:
            xs.append(features(doc.text, tokens))
            ys.append(bio(doc, tokens, stats))
    model = sklearn_crfsuite.CRF(all_possible_transitions=False, **PARAMS)
    model.fit(xs, ys)
    return model


def _tagged(model: Any, doc: GoldDoc) -> tuple[Any, Tokens, list[str]]:
    tagger = model.tagger_
    tokens = tokenize(doc.text)
    if not tokens:
        return tagger, tokens, []
    tagger.set(features(doc.text, tokens))
    return tagger, tokens, tagger.tag()


def _spans(model: Any, docs: list[GoldDoc]) -> list[list[Span]]:
    out = []
    for doc in docs:
        _, tokens, tags = _tagged(model, doc)
        out.append([(s, e, name) for s, e, name, _, _ in spans_of(tags, tokens)])
    return out


def _fit_sample(seed: int, cap: int) -> Any:
    def fit_fold(docs: list[GoldDoc]) -> Any:
        if len(docs) > cap:
            docs = random.Random(seed).sample(docs, cap)
        return fit(docs)
    return fit_fold


def train(docs: Sequence[GoldDoc], *, folds: int = 5, seed: int = 0,
          cv_sample: int = CV_SAMPLE, **options: Any) -> Trained:
    reason = entity_refusal(docs)
    if reason:
        return refused(reason, len(docs))
    k = fold_count(len(docs), folds)
    predicted = held_out_spans(docs, k, seed, _fit_sample(seed, cv_sample), _spans)
    metrics = span_metrics(docs, predicted, k)
    stats = {"snapped": 0, "skipped": 0}
    model = fit(docs, stats)
    metrics.update(stats)
    if len(docs) - len(docs) // k > cv_sample:
        metrics["cv_sample"] = cv_sample
    return Trained(model=model, metrics=metrics, trained_on=len(docs))


def _predict_one(model: Any, doc: GoldDoc) -> Predicted:
    tagger, tokens, tags = _tagged(model, doc)
    if not tags:
        return Predicted([], 1.0)
    labels = tagger.labels()
    marginals = [[tagger.marginal(y, t) for y in labels] for t in range(len(tags))]
    own = [row[labels.index(tag)] for row, tag in zip(marginals, tags, strict=True)]
    proposals = [Proposal(kind=ENTITY, label=name, score=_unit(min(own[i:j])), start=s, end=e)
                 for s, e, name, i, j in spans_of(tags, tokens)]
    return Predicted(proposals, _unit(min(max(row) for row in marginals)))


def _unit(p: float) -> float:
    return min(1.0, max(0.0, float(p)))


def predict(model: Any, docs: Sequence[GoldDoc]) -> list[Predicted]:
    return [_predict_one(model, doc) for doc in docs]
