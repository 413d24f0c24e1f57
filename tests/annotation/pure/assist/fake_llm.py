"""A chat-completions server on loopback for the LLM agent's tests: nothing leaves the
machine."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from annotation.pure.assist.llm import DEFAULT_PROMPT, LlmConfig

SECRET = "sk-test-7f3a9c1e5b"
LOCAL = ("127.0.0.0/8",)
ENTITY_LABELS = ["PER", "LOC", "ORG"]
SENTIMENT_LABELS = ["positive", "negative"]


@dataclass
class Fake:
    """A chat-completions server on 127.0.0.1 whose next answer each test sets."""

    port: int = 0
    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/chat/completions"

    def config(self, **changes: Any) -> LlmConfig:
        config = LlmConfig(url=self.url, model="tiny", prompt=DEFAULT_PROMPT, secret=SECRET,
                           timeout=5.0, allowed_networks=LOCAL)
        return replace(config, **changes)

    def says(self, content: Any, **extra: Any) -> None:
        """Answer with an assistant message holding `content` (JSON-encoded unless str)."""
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        completion = {"choices": [{"message": {"role": "assistant", "content": text}}]}
        self.body = json.dumps(completion | extra).encode()


def _handler(fake: Fake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                  "json": json.loads(self.rfile.read(length))})
            if fake.delay:
                fake.released.wait(fake.delay)
                return
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(fake.body)))
            self.end_headers()
            self.wfile.write(fake.body)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def fake_server() -> Iterator[Fake]:
    fake = Fake()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.released.set()
        server.shutdown()
        server.server_close()
