"""The call: the URL checked (private and loopback addresses refused unless allowed), then
one chat-completions POST to the address checked."""

import http.client
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from annotation.pure.assist.llm.config import (
    CHUNK,
    EXCERPT,
    MAX_RESPONSE_BYTES,
    LlmConfig,
    LlmError,
    Target,
)

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


def _target(url: str, allowed_networks: Iterable[str]) -> Target:
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
    return Target(parts.scheme, host, port, path, addresses[0])


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


def _connection(target: Target, timeout: float) -> http.client.HTTPConnection:
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
        chunk = response.read(CHUNK)
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


def completion(config: LlmConfig, prompt: str) -> str:
    payload = json.dumps({"model": config.model,
                          "messages": [{"role": "user", "content": prompt}],
                          "temperature": 0}).encode("utf-8")
    status, reason, body = _post(config, payload)
    if not 200 <= status < 300:
        excerpt = body[:EXCERPT].decode("utf-8", "replace").strip()
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
