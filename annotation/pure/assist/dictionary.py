"""The dictionary agent: every gold surface text is a pattern for the label most often given
to it, found again in new texts on token boundaries (longest non-overlapping matches first).

A trained model's proposal score is its label's share of the surface's gold occurrences times
the dictionary's cross-validated precision for that label (0 when cross-validation never
proposed the label), so a dictionary that does not generalize (e.g. in Chinese, where a
known name inside a longer unseen name is on token boundaries) scores low; `build` alone
gives the share. A document's confidence is its least-scored proposal (1.0 without
proposals)."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from annotation.pure.assist.base import ENTITY, GoldDoc, Predicted, Proposal, Trained, refused
from annotation.pure.assist.crossval import (
    Span,
    entity_refusal,
    fold_count,
    held_out_spans,
    span_metrics,
)
from annotation.pure.tokens import tokenize


@dataclass
class DictionaryModel:
    """Surface text -> (label, score). The automaton is rebuilt on first use after
    unpickling, so only plain data is stored."""

    patterns: dict[str, tuple[str, float]]
    _automaton: Any = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {"patterns": self.patterns}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.patterns, self._automaton = state["patterns"], None

    def automaton(self) -> Any:
        if self._automaton is None:
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for surface, (label, score) in self.patterns.items():
                automaton.add_word(surface, (len(surface), label, score))
            if self.patterns:
                automaton.make_automaton()
            self._automaton = automaton
        return self._automaton


def _boundaries(text: str) -> tuple[set[int], set[int]]:
    tokens = tokenize(text)
    return {s for s, _ in tokens}, {e for _, e in tokens}


def occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    """All non-overlapping occurrences of `surface` in `text`, left to right, that start at a
    token's start and end at a token's end (so never inside a word; any CJK character)."""
    if not surface:
        return []
    starts, ends = _boundaries(text)
    found: list[tuple[int, int]] = []
    at = text.find(surface)
    while at >= 0:
        end = at + len(surface)
        if at in starts and end in ends:
            found.append((at, end))
            at = text.find(surface, end)
        else:
            at = text.find(surface, at + 1)
    return found


def build(docs: Sequence[GoldDoc]) -> DictionaryModel:
    labels: dict[str, Counter[str]] = {}
    for doc in docs:
        for start, end, name in doc.entities:
            surface = doc.text[start:end]
            if surface.strip():
                labels.setdefault(surface, Counter())[name] += 1
    patterns = {}
    for surface, counter in labels.items():
        (name, hits), = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:1]
        patterns[surface] = (name, hits / sum(counter.values()))
    return DictionaryModel(patterns)


def matches(model: DictionaryModel, text: str) -> list[tuple[int, int, str, float]]:
    """(start, end, label, score) of the longest non-overlapping token-aligned matches."""
    if not model.patterns or not text:
        return []
    starts, ends = _boundaries(text)
    candidates = []
    for last, (length, name, score) in model.automaton().iter(text):
        start, end = last + 1 - length, last + 1
        if start in starts and end in ends:
            candidates.append((start, end, name, score))
    candidates.sort(key=lambda m: (m[0] - m[1], m[0]))
    taken: list[tuple[int, int, str, float]] = []
    used: set[int] = set()
    for match in candidates:
        span = range(match[0], match[1])
        if not used.intersection(span):
            used.update(span)
            taken.append(match)
    return sorted(taken)


def _spans(model: DictionaryModel, docs: list[GoldDoc]) -> list[list[Span]]:
    return [[(s, e, name) for s, e, name, _ in matches(model, doc.text)] for doc in docs]


def train(docs: Sequence[GoldDoc], *, folds: int = 5, seed: int = 0,
          **options: Any) -> Trained:
    reason = entity_refusal(docs)
    if reason:
        return refused(reason, len(docs))
    k = fold_count(len(docs), folds)
    predicted = held_out_spans(docs, k, seed, build, _spans)
    metrics = span_metrics(docs, predicted, k)
    precision = {name: row["precision"] for name, row in metrics["per_label"].items()}
    model = build(docs)
    model.patterns = {surface: (name, share * precision.get(name, 0.0))
                      for surface, (name, share) in model.patterns.items()}
    return Trained(model=model, metrics=metrics, trained_on=len(docs))


def predict(model: DictionaryModel, docs: Sequence[GoldDoc]) -> list[Predicted]:
    out = []
    for doc in docs:
        found = matches(model, doc.text)
        proposals = [Proposal(kind=ENTITY, label=name, score=score, start=s, end=e)
                     for s, e, name, score in found]
        out.append(Predicted(proposals, min((p.score for p in proposals), default=1.0)))
    return out
