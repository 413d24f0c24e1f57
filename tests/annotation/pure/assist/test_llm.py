import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from annotation.pure.assist import llm
from annotation.pure.assist.llm import (
    DEFAULT_PROMPT,
    LlmError,
    check_url,
    render_prompt,
    suggest,
)
from tests.annotation.pure.assist.fake_llm import (
    ENTITY_LABELS,
    LOCAL,
    SECRET,
    SENTIMENT_LABELS,
    Fake,
    fake_server,
)


@pytest.fixture
def fake() -> Iterator[Fake]:
    with fake_server() as server:
        yield server


def _ask(fake: Fake, text: str, **changes: Any) -> llm.LlmAnswer:
    return suggest(fake.config(**changes), text=text, entity_labels=ENTITY_LABELS,
                   sentiment_labels=SENTIMENT_LABELS)


def _spans(answer: llm.LlmAnswer) -> list[tuple[int | None, int | None, str]]:
    return [(p.start, p.end, p.label) for p in answer.predicted.proposals if p.kind == "entity"]


def _sentiment(answer: llm.LlmAnswer) -> list[str]:
    return [p.label for p in answer.predicted.proposals if p.kind == "sentiment"]


# --- good answers -------------------------------------------------------------------------


def test_english_answer_becomes_proposals(fake):
    text = "Ada Lovelace was born in London."
    fake.says({"entities": [{"text": "Ada Lovelace", "label": "PER"},
                            {"text": "London", "label": "LOC"}],
               "sentiment": ["positive"]})
    answer = _ask(fake, text)
    assert _spans(answer) == [(0, 12, "PER"), (25, 31, "LOC")]
    assert _sentiment(answer) == ["positive"]
    assert all(p.score == 1.0 for p in answer.predicted.proposals)
    assert answer.predicted.confidence == 1.0
    assert answer.dropped == 0
    assert answer.model == "tiny"
    assert text in answer.prompt


def test_chinese_text_with_emoji_gets_code_point_offsets(fake):
    text = "😀🎉 我在北京工作，😀 喜欢上海。"
    fake.says({"entities": [{"text": "北京", "label": "LOC"}, {"text": "上海", "label": "LOC"}],
               "sentiment": ["positive"]})
    answer = _ask(fake, text)
    spans = _spans(answer)
    assert [text[start:end] for start, end, _ in spans] == ["北京", "上海"]
    assert spans[0][:2] == (text.index("北京"), text.index("北京") + 2)
    assert answer.dropped == 0


def test_request_is_a_chat_completion_with_the_bearer_token(fake):
    fake.says({"entities": [], "sentiment": []})
    answer = _ask(fake, "Nothing here.")
    request = fake.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == f"Bearer {SECRET}"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["json"] == {"model": "tiny", "temperature": 0,
                               "messages": [{"role": "user", "content": answer.prompt}]}


def test_no_authorization_header_without_a_secret(fake):
    fake.says({"entities": [], "sentiment": []})
    _ask(fake, "Nothing here.", secret="")
    assert "Authorization" not in fake.requests[0]["headers"]


def test_fenced_json_is_accepted(fake):
    fake.says('```json\n{"entities": [{"text": "Paris", "label": "LOC"}], "sentiment": []}\n```')
    assert _spans(_ask(fake, "I love Paris.")) == [(7, 12, "LOC")]


def test_repeated_mentions_take_successive_occurrences(fake):
    text = "Paris and Paris, then Paris."
    fake.says({"entities": [{"text": "Paris", "label": "LOC"}, {"text": "Paris", "label": "LOC"}],
               "sentiment": []})
    assert _spans(_ask(fake, text)) == [(0, 5, "LOC"), (10, 15, "LOC")]


def test_start_disambiguates_only_when_it_points_at_the_quote(fake):
    text = "Paris and Paris, then Paris."
    fake.says({"entities": [{"text": "Paris", "label": "LOC", "start": 22},
                            {"text": "Paris", "label": "LOC", "start": 3}],
               "sentiment": []})
    assert _spans(_ask(fake, text)) == [(22, 27, "LOC"), (0, 5, "LOC")]


def test_numeric_score_in_range_is_kept_otherwise_one(fake):
    fake.says({"entities": [{"text": "Rome", "label": "LOC", "score": 0.4},
                            {"text": "Oslo", "label": "LOC", "score": 7},
                            {"text": "Bern", "label": "LOC", "score": "high"}],
               "sentiment": [{"label": "negative", "score": 0.25}]})
    answer = _ask(fake, "Rome, Oslo, Bern.")
    assert [p.score for p in answer.predicted.proposals] == [0.4, 1.0, 1.0, 0.25]
    assert answer.predicted.confidence == 0.25


# --- dropped items ------------------------------------------------------------------------


def test_quote_not_in_the_text_is_dropped_and_counted(fake):
    fake.says({"entities": [{"text": "Berlin", "label": "LOC"},
                            {"text": "london", "label": "LOC"},
                            {"text": "London", "label": "LOC"}],
               "sentiment": []})
    answer = _ask(fake, "Born in London.")
    assert _spans(answer) == [(8, 14, "LOC")]
    assert answer.dropped == 2


def test_unknown_labels_and_malformed_items_are_dropped(fake):
    fake.says({"entities": [{"text": "London", "label": "CITY"},
                            {"text": "London"},
                            "London",
                            {"text": "", "label": "LOC"},
                            {"text": "London", "label": "loc"}],
               "sentiment": ["neutral", "positive", "positive", 3]})
    answer = _ask(fake, "Born in London.")
    assert _spans(answer) == [(8, 14, "LOC")]
    assert _sentiment(answer) == ["positive"]
    assert answer.dropped == 4 + 3


# --- failures -----------------------------------------------------------------------------


def test_timeout_fails_fast(fake):
    fake.delay = 5.0
    began = time.monotonic()
    with pytest.raises(LlmError, match=r"did not answer within 0\.3 s"):
        _ask(fake, "Slow.", timeout=0.3)
    assert time.monotonic() - began < 2.0


def test_server_error_names_the_status(fake):
    fake.status, fake.body = 500, b'{"error": "model crashed"}'
    with pytest.raises(LlmError, match="HTTP 500") as raised:
        _ask(fake, "Text.")
    assert "model crashed" in str(raised.value)


def test_error_body_echoing_the_secret_is_redacted(fake):
    fake.status, fake.body = 401, f"bad token Bearer {SECRET}".encode()
    with pytest.raises(LlmError, match="HTTP 401") as raised:
        _ask(fake, "Text.")
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"", b'{"choices": []}',
                                  b'{"choices": [{"message": {"content": null}}]}'])
def test_garbage_completion_is_refused(fake, body):
    fake.body = body
    with pytest.raises(LlmError):
        _ask(fake, "Text.")


@pytest.mark.parametrize("content", ["Sure! Here are the entities.", "[1, 2]",
                                     '{"entities": {"text": "x"}}', '{"sentiment": "positive"}'])
def test_wrong_shape_of_the_model_answer_is_refused(fake, content):
    fake.says(content)
    with pytest.raises(LlmError):
        _ask(fake, "Text.")


def test_oversized_answer_is_refused(fake):
    fake.says("x" * (llm.MAX_RESPONSE_BYTES + 10))
    with pytest.raises(LlmError, match="larger than"):
        _ask(fake, "Text.")


def test_secret_never_in_errors_or_repr(fake):
    config = fake.config()
    assert SECRET not in repr(config)
    assert SECRET not in str(config)
    messages = []
    fake.status, fake.body = 503, SECRET.encode()
    for changes in [{}, {"timeout": 0.2}, {"allowed_networks": ()}, {"url": "ftp://x/"},
                    {"url": "http://127.0.0.1:1/"}, {"secret": SECRET + "\n"}]:
        fake.delay = 5.0 if changes.get("timeout") else 0.0
        with pytest.raises(LlmError) as raised:
            _ask(fake, "Text.", **changes)
        messages.append(str(raised.value) + repr(raised.value))
    assert len(messages) == 6
    assert not [message for message in messages if SECRET in message]


# --- addresses ----------------------------------------------------------------------------


def test_loopback_refused_unless_its_network_is_allowed(fake):
    fake.says({"entities": [], "sentiment": []})
    with pytest.raises(LlmError, match="CONCORD_WEBHOOK_ALLOWED_NETWORKS"):
        _ask(fake, "Text.", allowed_networks=())
    assert fake.requests == []
    assert _ask(fake, "Text.", allowed_networks=LOCAL).dropped == 0
    assert len(fake.requests) == 1


@pytest.mark.parametrize("url", ["http://10.1.2.3/v1", "http://192.168.0.10/", "http://[::1]/",
                                 "http://169.254.169.254/latest", "http://0.0.0.0/",
                                 "http://224.0.0.1/", "http://[::ffff:127.0.0.1]/",
                                 "https://localhost:8443/"])
def test_internal_addresses_are_refused(url):
    with pytest.raises(LlmError):
        check_url(url, ())


def test_public_address_passes_and_allowed_networks_are_cidrs():
    check_url("https://8.8.8.8/v1/chat/completions", ())
    check_url("http://10.1.2.3:11434/v1/chat/completions", ("10.0.0.0/8",))
    with pytest.raises(LlmError, match="allowed networks"):
        check_url("http://10.1.2.3/", ("not-a-network",))


@pytest.mark.parametrize("url", ["ftp://8.8.8.8/", "file:///etc/passwd", "8.8.8.8/v1",
                                 "http:///v1", "http://user:pw@8.8.8.8/"])
def test_non_http_urls_are_refused(url):
    with pytest.raises(LlmError):
        check_url(url, ())


def test_connects_to_the_address_that_was_checked(fake, monkeypatch):
    """The host is resolved once; a second lookup (DNS rebinding) would fail the test."""
    real = socket.getaddrinfo
    lookups = []

    def resolver(host, port, *args, **kwargs):
        if host == "llm.example.test":
            lookups.append(host)
            if len(lookups) > 1:
                raise AssertionError("resolved twice")
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    fake.says({"entities": [], "sentiment": []})
    url = f"http://llm.example.test:{fake.port}/v1/chat/completions"
    _ask(fake, "Text.", url=url)
    assert lookups == ["llm.example.test"]
    assert fake.requests[0]["headers"]["Host"] == f"llm.example.test:{fake.port}"


# --- the prompt ---------------------------------------------------------------------------


def test_braces_in_the_text_survive_rendering(fake):
    text = 'Use {"a": 1} and {text} or {0} in {Berlin}.'
    fake.says({"entities": [{"text": "Berlin", "label": "LOC"}], "sentiment": []})
    answer = _ask(fake, text)
    assert answer.prompt.endswith(text)
    assert answer.prompt.count(text) == 1
    assert _spans(answer) == [(text.index("Berlin"), text.index("Berlin") + 6, "LOC")]


def test_default_prompt_renders_labels_and_keeps_its_json_example():
    prompt = render_prompt(DEFAULT_PROMPT, text="Hi.", entity_labels=["PER", "LOC"],
                           sentiment_labels=[])
    assert '["PER", "LOC"]' in prompt
    assert "(none)" in prompt
    assert '{"entities": [{"text": "...", "label": "..."}], "sentiment": ["label", ...]}' in prompt
    assert "{text}" not in prompt


def test_template_without_text_placeholder_is_refused(fake):
    with pytest.raises(LlmError, match="placeholder"):
        _ask(fake, "Text.", prompt="Label this.")
    assert fake.requests == []
