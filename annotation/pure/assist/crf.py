"""The CRF agent: a linear-chain CRF (crfsuite through python-crfsuite, L-BFGS with L1 and
L2) over the project's tokens (one per CJK character, words otherwise) with BIO tags and
lean per-token features, made one document at a time while crfsuite is fed.

A proposal's score is the lowest marginal probability of its tokens' predicted tags (the
span is only as sure as its least sure token); a document's confidence is the lowest, over
its tokens, of the predicted tag's marginal (only those marginals are computed). Gold spans
that do not fall on token boundaries are widened to the tokens they touch ("snapped"); one
that overlaps an earlier span is skipped. Both are counted in the metrics, over the
documents the final model is fitted on.

Training cost is about linear in tokens times iterations, so it is bounded:
cross-validation runs on a seeded sample of at most `cv_sample` documents (reported as
"cv_sample" when it applies), with at most `BIG_FOLDS` folds from `BIG` documents on; the
final model is fitted on a seeded sample of at most `fit_sample` documents (reported as
"trained_sample" when it applies)."""

import os
import random
import re
import tempfile
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
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

CV_SAMPLE = 200  # documents cross-validation runs on, at most (a seeded sample)
FIT_SAMPLE = 2000  # documents the final model is fitted on, at most
BIG = 1000  # from this many documents on, at most `BIG_FOLDS` folds
BIG_FOLDS = 2
ALGORITHM = "lbfgs"
# 40 iterations: held-out span F1 on the assist bench's corpus (1,000 documents, unseen
# names) is within 0.002 of 50's, in 80% of the time
PARAMS: dict[str, Any] = {"c1": 0.05, "c2": 0.01, "max_iterations": 40,
                          "feature.possible_transitions": False}
Tokens = list[tuple[int, int]]
Items = dict[int, tuple[Tokens, Any]]  # a document's tokens and features, by id(document)


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
    starts, ends = [s for s, _ in tokens], [e for _, e in tokens]  # both sorted
    for start, end, name in sorted(doc.entities):
        # the tokens it touches: from the first ending after `start` to the last starting
        # before `end`
        covered = range(bisect_right(ends, start), bisect_left(starts, end))
        if not covered or any(tags[i] != "O" for i in covered):
            stats["skipped"] += 1
            continue
        if starts[covered[0]] != start or ends[covered[-1]] != end:
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


@dataclass
class CRFModel:
    """The crfsuite model file's bytes; the tagger is opened on first use (also after
    unpickling), so only the bytes are stored."""

    data: bytes
    _tagger: Any = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {"data": self.data}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.data, self._tagger = state["data"], None

    def tagger(self) -> Any:
        if self._tagger is None:
            import pycrfsuite

            tagger = pycrfsuite.Tagger()
            tagger.open_inmemory(self.data)
            self._tagger = tagger
        return self._tagger


def _items(doc: GoldDoc, cache: Items | None, keep: bool = True) -> tuple[Tokens, Any]:
    """The document's tokens and its features as a crfsuite ItemSequence (None without
    tokens), from `cache` when it has them (and put there when `keep`)."""
    import pycrfsuite

    found = cache.get(id(doc)) if cache is not None else None
    if found is None:
        tokens = tokenize(doc.text)
        found = tokens, pycrfsuite.ItemSequence(features(doc.text, tokens)) if tokens else None
        if cache is not None and keep:
            cache[id(doc)] = found
    return found


def fit(docs: Sequence[GoldDoc], stats: dict[str, int] | None = None,
        cache: Items | None = None, keep: bool = True) -> CRFModel:
    """Train on `docs`, their features made one document at a time and handed to crfsuite
    (which keeps only attribute ids), so no feature strings pile up; with a `cache`, the
    documents' features are taken from it (and kept there when `keep`)."""
    import pycrfsuite

    stats = {"snapped": 0, "skipped": 0} if stats is None else stats
    trainer = pycrfsuite.Trainer(algorithm=ALGORITHM, verbose=False)
    trainer.set_params(PARAMS)
    for doc in docs:
        tokens, items = _items(doc, cache, keep)
        if tokens:
            trainer.append(items, bio(doc, tokens, stats))
    with tempfile.TemporaryDirectory(prefix="concord-crf-") as folder:
        path = os.path.join(folder, "model.crfsuite")
        trainer.train(path)
        del trainer  # its copy of the training data, before the model is read
        with open(path, "rb") as handle:
            return CRFModel(handle.read())


def _tagger(model: Any) -> Any:
    """The model's tagger; a model pickled by sklearn-crfsuite (older artifacts) still works."""
    return model.tagger() if isinstance(model, CRFModel) else model.tagger_


def _tagged(model: Any, doc: GoldDoc,
            cache: Items | None = None) -> tuple[Any, Tokens, list[str]]:
    tagger = _tagger(model)
    tokens, items = _items(doc, cache)
    if not tokens:
        return tagger, tokens, []
    tagger.set(items)
    return tagger, tokens, tagger.tag()


def _spans(model: Any, docs: list[GoldDoc], cache: Items | None = None) -> list[list[Span]]:
    out = []
    for doc in docs:
        _, tokens, tags = _tagged(model, doc, cache)
        out.append([(s, e, name) for s, e, name, _, _ in spans_of(tags, tokens)])
    return out


def _fit_sample(seed: int, cap: int) -> Any:
    def fit_fold(docs: list[GoldDoc]) -> Any:
        return fit(_sample(docs, cap, seed))
    return fit_fold


def _sample(docs: Sequence[GoldDoc], cap: int, seed: int) -> Sequence[GoldDoc]:
    return random.Random(seed).sample(list(docs), cap) if len(docs) > cap else docs


def train(docs: Sequence[GoldDoc], *, folds: int = 5, seed: int = 0,
          cv_sample: int = CV_SAMPLE, fit_sample: int = FIT_SAMPLE,
          **options: Any) -> Trained:
    reason = entity_refusal(docs)
    if reason:
        return refused(reason, len(docs))
    sampled = _sample(docs, cv_sample, seed)
    k = fold_count(len(sampled), folds)
    if len(docs) >= BIG:
        k = min(k, BIG_FOLDS)
    cache: Items = {}  # the cross-validated documents' features, made once
    predicted = held_out_spans(sampled, k, seed, lambda fold: fit(fold, cache=cache),
                               lambda model, held: _spans(model, held, cache))
    metrics = span_metrics(sampled, predicted, k)
    if len(sampled) < len(docs):
        metrics["cv_sample"] = len(sampled)
    stats = {"snapped": 0, "skipped": 0}
    model = fit(_sample(docs, fit_sample, seed), stats, cache, keep=False)
    metrics.update(stats)
    if len(docs) > fit_sample:
        metrics["trained_sample"] = fit_sample
    return Trained(model=model, metrics=metrics, trained_on=len(docs))


def _predict_one(model: Any, doc: GoldDoc) -> Predicted:
    tagger, tokens, tags = _tagged(model, doc)
    if not tags:
        return Predicted([], 1.0)
    own = [tagger.marginal(tag, t) for t, tag in enumerate(tags)]
    proposals = [Proposal(kind=ENTITY, label=name, score=_unit(min(own[i:j])), start=s, end=e)
                 for s, e, name, i, j in spans_of(tags, tokens)]
    return Predicted(proposals, _unit(min(own)))


def _unit(p: float) -> float:
    return min(1.0, max(0.0, float(p)))


def predict(model: Any, docs: Sequence[GoldDoc]) -> list[Predicted]:
    return [_predict_one(model, doc) for doc in docs]
