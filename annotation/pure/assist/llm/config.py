"""The LLM agent's settings, answers and errors."""

import re
from dataclasses import dataclass, field

from annotation.pure.assist.base import Predicted

MAX_RESPONSE_BYTES = 1_000_000
CHUNK = 65_536
EXCERPT = 200

DEFAULT_PROMPT = """You label text for an annotation project.

Entity labels: {entity_labels}
Sentiment labels: {sentiment_labels}

Find every entity in the text below whose type is one of the entity labels, and choose the
sentiment labels that apply to the whole text. Quote each entity exactly as it is written in
the text, character for character. Use only the labels listed above.

Answer with JSON only, no explanation, in exactly this shape:
{"entities": [{"text": "...", "label": "..."}], "sentiment": ["label", ...]}

Text:
{text}"""

PLACEHOLDER = re.compile(r"\{(text|entity_labels|sentiment_labels)\}")
FENCE = re.compile(r"\A```[A-Za-z]*[ \t]*\n(.*?)\n?```\Z", re.DOTALL)


class LlmError(Exception):
    """The call failed or the answer was unusable; the message never holds the secret."""


@dataclass(frozen=True)
class LlmConfig:
    url: str
    model: str
    prompt: str
    secret: str = field(default="", repr=False)
    timeout: float = 20.0
    allowed_networks: tuple[str, ...] = ()


@dataclass(frozen=True)
class LlmAnswer:
    predicted: Predicted
    dropped: int
    prompt: str
    model: str


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str
