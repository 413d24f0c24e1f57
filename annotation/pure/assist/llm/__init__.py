"""The LLM agent's client: one OpenAI-compatible chat-completions call per document.

Standard library only (http.client rather than urllib.request's opener, which would follow
redirects to addresses never checked and honour proxy variables). The URL's host is resolved
once, every address is checked, and the connection goes to the checked address (the Host
header and TLS server name stay the URL's host), so DNS cannot rebind between check and
connect. The secret is sent only in the Authorization header and is redacted from every
message this module makes.
"""

from annotation.pure.assist.llm.answer import parse_answer, render_prompt
from annotation.pure.assist.llm.config import (
    DEFAULT_PROMPT,
    MAX_RESPONSE_BYTES,
    LlmAnswer,
    LlmConfig,
    LlmError,
)
from annotation.pure.assist.llm.transport import check_url, completion

__all__ = ["DEFAULT_PROMPT", "MAX_RESPONSE_BYTES", "LlmAnswer", "LlmConfig", "LlmError",
           "check_url", "parse_answer", "render_prompt", "suggest"]


def suggest(config: LlmConfig, *, text: str, entity_labels: list[str],
            sentiment_labels: list[str]) -> LlmAnswer:
    """Ask the model for one document's entities and sentiment. Raises LlmError."""
    if "{text}" not in config.prompt:
        raise LlmError("the prompt template has no {text} placeholder")
    prompt = render_prompt(config.prompt, text=text, entity_labels=entity_labels,
                           sentiment_labels=sentiment_labels)
    content = completion(config, prompt)
    predicted, dropped = parse_answer(content, text=text, entity_labels=entity_labels,
                                      sentiment_labels=sentiment_labels)
    return LlmAnswer(predicted=predicted, dropped=dropped, prompt=prompt, model=config.model)
