"""The prompt rendered, and the model's answer parsed strictly to proposals."""

import json
from collections.abc import Callable, Iterable
from typing import Any

from annotation.pure.assist.base import ENTITY, SENTIMENT, Predicted, Proposal
from annotation.pure.assist.llm.config import (
    FENCE,
    PLACEHOLDER,
    LlmError,
)

# --- the prompt ---------------------------------------------------------------------------


def _label_list(labels: Iterable[str]) -> str:
    names = list(labels)
    return json.dumps(names, ensure_ascii=False) if names else "(none)"


def render_prompt(template: str, *, text: str, entity_labels: list[str],
                  sentiment_labels: list[str]) -> str:
    """The template with its placeholders replaced in one pass: braces in the template or
    the text are left alone, and placeholders inside the text are not expanded."""
    values = {"text": text, "entity_labels": _label_list(entity_labels),
              "sentiment_labels": _label_list(sentiment_labels)}
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


# --- the answer ---------------------------------------------------------------------------


def _answer_json(content: str) -> dict[str, Any]:
    content = content.strip()
    fenced = FENCE.match(content)
    if fenced:
        content = fenced.group(1).strip()
    try:
        answer = json.loads(content)
    except ValueError:
        raise LlmError("the model's answer is not JSON") from None
    if not isinstance(answer, dict):
        raise LlmError("the model's answer is not a JSON object")
    for key in ("entities", "sentiment"):
        if not isinstance(answer.get(key, []), list):
            raise LlmError(f'the model\'s "{key}" is not a list')
    return answer


def _label_lookup(labels: Iterable[str]) -> Callable[[Any], str | None]:
    """Exact names first, then a case-insensitive match when it is unambiguous."""
    exact = set(labels)
    folded: dict[str, list[str]] = {}
    for name in exact:
        folded.setdefault(name.casefold(), []).append(name)

    def lookup(value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        if value in exact:
            return value
        candidates = folded.get(value.casefold(), [])
        return candidates[0] if len(candidates) == 1 else None

    return lookup


def _score(item: dict[str, Any]) -> float:
    score = item.get("score")
    if isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 1:
        return float(score)
    return 1.0


def _occurrences(text: str, quote: str) -> list[int]:
    starts, position = [], text.find(quote)
    while position != -1:
        starts.append(position)
        position = text.find(quote, position + 1)
    return starts


def _entity_start(text: str, item: dict[str, Any], quote: str, used: set[int]) -> int | None:
    """The offset the model gave when the quote is there, else the first occurrence not yet
    used by the same quote and label."""
    given = item.get("start")
    if (isinstance(given, int) and not isinstance(given, bool) and given >= 0
            and text[given:given + len(quote)] == quote and given not in used):
        return given
    return next((start for start in _occurrences(text, quote) if start not in used), None)


def _entities(text: str, items: list[Any], labels: list[str]) -> tuple[list[Proposal], int]:
    lookup, proposals, dropped = _label_lookup(labels), [], 0
    used: dict[tuple[str, str], set[int]] = {}
    for item in items:
        quote = item.get("text") if isinstance(item, dict) else None
        label = lookup(item.get("label")) if isinstance(item, dict) else None
        if not isinstance(quote, str) or not quote or label is None:
            dropped += 1
            continue
        taken = used.setdefault((quote, label), set())
        start = _entity_start(text, item, quote, taken)
        if start is None:
            dropped += 1
            continue
        taken.add(start)
        proposals.append(Proposal(ENTITY, label, _score(item), start, start + len(quote)))
    return proposals, dropped


def _sentiments(items: list[Any], labels: list[str]) -> tuple[list[Proposal], int]:
    lookup, seen, proposals, dropped = _label_lookup(labels), set(), [], 0
    for item in items:
        entry = item if isinstance(item, dict) else {"label": item}
        label = lookup(entry.get("label"))
        if label is None or label in seen:
            dropped += 1
            continue
        seen.add(label)
        proposals.append(Proposal(SENTIMENT, label, _score(entry)))
    return proposals, dropped


def parse_answer(content: str, *, text: str, entity_labels: list[str],
                 sentiment_labels: list[str]) -> tuple[Predicted, int]:
    """The proposals in the assistant's message and how many items were dropped (a quote
    not in the text, an unknown label, a repeat, or a malformed item). Raises LlmError when
    the message is not the JSON object asked for."""
    answer = _answer_json(content)
    entities, dropped_entities = _entities(text, answer.get("entities", []), entity_labels)
    sentiment, dropped_sentiment = _sentiments(answer.get("sentiment", []), sentiment_labels)
    proposals = entities + sentiment
    confidence = min((proposal.score for proposal in proposals), default=1.0)
    return Predicted(proposals, confidence), dropped_entities + dropped_sentiment
