"""The LLM agent's client: one OpenAI-compatible chat-completions call per document.

Standard library only (http.client rather than urllib.request's opener, which would follow
redirects to addresses never checked and honour proxy variables). The URL's host is resolved
once, every address is checked, and the connection goes to the checked address (the Host
header and TLS server name stay the URL's host), so DNS cannot rebind between check and
connect. The secret is sent only in the Authorization header and is redacted from every
message this module makes.
"""

import http.client
import ipaddress
import json
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from annotation.pure.assist.base import ENTITY, SENTIMENT, Predicted, Proposal

MAX_RESPONSE_BYTES = 1_000_000
_CHUNK = 65_536
_EXCERPT = 200

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

_PLACEHOLDER = re.compile(r"\{(text|entity_labels|sentiment_labels)\}")
_FENCE = re.compile(r"\A```[A-Za-z]*[ \t]*\n(.*?)\n?```\Z", re.DOTALL)


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
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


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
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


# --- the URL ------------------------------------------------------------------------------


_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(allowed_networks: Iterable[str]) -> list[_Network]:
    try:
        return [ipaddress.ip_network(cidr, strict=False) for cidr in allowed_networks]
    except ValueError as exc:
        raise LlmError(f"allowed networks: {exc}") from None


def _is_internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified or not ip.is_global)


def _check_address(address: str, networks: list[_Network], host: str) -> None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if _is_internal(ip) and not any(ip in network for network in networks):
        raise LlmError(
            f"{host} resolves to {ip}, a private, loopback, link-local, multicast or reserved"
            " address; allow its network in CONCORD_WEBHOOK_ALLOWED_NETWORKS to use it")


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise LlmError(f"cannot resolve {host}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise LlmError(f"cannot resolve {host}")
    return addresses


def _target(url: str, allowed_networks: Iterable[str]) -> _Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise LlmError("the LLM URL must start with http:// or https://")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise LlmError("the LLM URL has an invalid port") from None
    if not host:
        raise LlmError("the LLM URL has no host")
    if parts.username is not None or parts.password is not None:
        raise LlmError("the LLM URL must not hold credentials; use the secret")
    port = port or (443 if parts.scheme == "https" else 80)
    networks = _networks(allowed_networks)
    addresses = _resolve(host, port)
    for address in addresses:
        _check_address(address, networks, host)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.scheme, host, port, path, addresses[0])


def check_url(url: str, allowed_networks: Iterable[str]) -> None:
    """Raise LlmError unless `url` is http(s) and every address its host resolves to is
    public or inside one of `allowed_networks` (CIDR strings)."""
    _target(url, allowed_networks)


# --- the call -----------------------------------------------------------------------------


def _redact(message: str, secret: str) -> str:
    return message.replace(secret, "[secret]") if secret else message


def _headers(secret: str) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               "User-Agent": "Concord"}
    if secret:
        if not all(32 < ord(char) < 127 for char in secret):
            raise LlmError("the secret holds characters not allowed in an HTTP header")
        headers["Authorization"] = f"Bearer {secret}"
    return headers


def _connection(target: _Target, timeout: float) -> http.client.HTTPConnection:
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    # Connect to the address that was checked; Host and TLS SNI remain target.host.
    def pinned(address: tuple[str, int], *args: Any) -> socket.socket:
        return socket.create_connection((target.address, address[1]), *args)

    connection._create_connection = pinned  # type: ignore[attr-defined]
    return connection


def _read(response: http.client.HTTPResponse, connection: http.client.HTTPConnection,
          deadline: float) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > MAX_RESPONSE_BYTES:
        raise LlmError(f"the LLM answer is larger than {MAX_RESPONSE_BYTES} bytes")
    body = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        chunk = response.read(_CHUNK)
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            raise LlmError(f"the LLM answer is larger than {MAX_RESPONSE_BYTES} bytes")


def _post(config: LlmConfig, payload: bytes) -> tuple[int, str, bytes]:
    target = _target(config.url, config.allowed_networks)
    headers = _headers(config.secret)
    deadline = time.monotonic() + config.timeout
    connection = _connection(target, config.timeout)
    try:
        connection.request("POST", target.path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.reason, _read(response, connection, deadline)
    except TimeoutError:
        raise LlmError(
            f"the LLM endpoint did not answer within {config.timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        reason = _redact(str(exc) or type(exc).__name__, config.secret)
        raise LlmError(f"cannot reach the LLM endpoint at {target.host}: {reason}") from None
    finally:
        connection.close()


def _completion(config: LlmConfig, prompt: str) -> str:
    payload = json.dumps({"model": config.model,
                          "messages": [{"role": "user", "content": prompt}],
                          "temperature": 0}).encode("utf-8")
    status, reason, body = _post(config, payload)
    if not 200 <= status < 300:
        excerpt = body[:_EXCERPT].decode("utf-8", "replace").strip()
        message = f"the LLM endpoint answered HTTP {status} {reason}".strip()
        message += f": {excerpt}" if excerpt else ""
        raise LlmError(_redact(message, config.secret))
    try:
        content = json.loads(body)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LlmError("the LLM endpoint's answer is not a chat completion") from None
    if not isinstance(content, str):
        raise LlmError("the LLM endpoint's answer has no text content")
    return content


# --- the answer ---------------------------------------------------------------------------


def _answer_json(content: str) -> dict[str, Any]:
    content = content.strip()
    fenced = _FENCE.match(content)
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


def suggest(config: LlmConfig, *, text: str, entity_labels: list[str],
            sentiment_labels: list[str]) -> LlmAnswer:
    """Ask the model for one document's entities and sentiment. Raises LlmError."""
    if "{text}" not in config.prompt:
        raise LlmError("the prompt template has no {text} placeholder")
    prompt = render_prompt(config.prompt, text=text, entity_labels=entity_labels,
                           sentiment_labels=sentiment_labels)
    content = _completion(config, prompt)
    predicted, dropped = parse_answer(content, text=text, entity_labels=entity_labels,
                                      sentiment_labels=sentiment_labels)
    return LlmAnswer(predicted=predicted, dropped=dropped, prompt=prompt, model=config.model)
